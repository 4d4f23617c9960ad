//! `sqlx::migrate!` embeds the migration files at compile time; without this, adding a
//! migration leaves a stale build that refuses a database migrated further.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
