//! Writes the L1 gas model (`quire_l1::gas`) as JSON for the Solidity worst-case tests:
//!
//! ```sh
//! cargo run -p quire-l1 --example l1_gas_model > contracts/test/fixtures/l1_gas_model.json
//! ```

fn main() {
    let json = quire_l1::gas::model_json();
    match serde_json::to_string_pretty(&json) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("cannot serialise the gas model: {e}");
            std::process::exit(1);
        }
    }
}
