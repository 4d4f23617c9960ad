//! The one configuration mechanism of every service: defaults, then a TOML file, then
//! environment variables, then command-line flags, each layer overriding the one before
//! ([`Layers`], [`load`]), built on `figment`. Each service keeps its own typed
//! configuration and one table of its environment variables ([`EnvVar`]); this module also
//! holds the error that names the file, variable or setting, and reading key files.
//!
//! How the layers become one configuration: every layer is a tree of values keyed like the
//! TOML file (`batch.max_txs`), merged over the layers before it (tables merge key by key,
//! any other value replaces), and the result is deserialized once into the service's type.
//! So a variable or flag inside an optional section (`[l1]`) turns the section on, with the
//! type's defaults for the rest, exactly as a file naming one of its keys does.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Empty, Map, Tag, Value};
use figment::{Figment, Metadata, Profile, Provider, Source};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A configuration problem, naming the file, variable or setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("parsing {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why, naming the field.
        message: String,
    },
    /// An environment variable has an invalid value.
    #[error("environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Why.
        message: String,
    },
    /// A setting has a value the service cannot run with, or contradicts another.
    #[error("invalid setting {field}: {message}")]
    Invalid {
        /// The setting, as written in the file (`l1.confirmations`).
        field: &'static str,
        /// Why.
        message: String,
    },
}

/// Reads a TOML file; settings it leaves out keep the type's `#[serde(default)]`s.
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.into(),
        message: e.to_string(),
    })
}

/// Parses the value of environment variable `name`, ignoring surrounding whitespace (a
/// trailing newline from `$(cat file)` is not an error).
pub fn parse_env<T: FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
        name,
        message: e.to_string(),
    })
}

/// The content of a key file, without surrounding whitespace.
pub fn read_key_file(path: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    Ok(text.trim().to_string())
}

/// One environment variable of a service: its name, the setting it sets (the dotted path of
/// the TOML file, `batch.max_txs`) and how its text is read. A service's table of these is
/// the list of its variables; where two set the same setting, the later one in the table
/// wins (`DATABASE_URL`, then `QUIRE_DATABASE_URL`).
pub struct EnvVar<T> {
    /// The variable.
    pub name: &'static str,
    /// The setting.
    pub path: &'static str,
    /// How its text becomes the setting's value.
    pub kind: EnvKind<T>,
}

/// How an environment variable's text becomes a value. The text is never guessed at:
/// a name or a path that looks like a number stays text, and a number is read only where the
/// table says so (then with Rust's own parser, as `str::parse` reads it).
pub enum EnvKind<T> {
    /// The text as it is: a URL, a path, a name, a format word.
    Text,
    /// The text without surrounding whitespace, for the setting's type to read (an address).
    Word,
    /// An unsigned integer, surrounding whitespace ignored; the setting's type bounds it.
    Number,
    /// `true` or `false`, surrounding whitespace ignored.
    Bool,
    /// As [`EnvKind::Word`], but `off` unsets an optional setting (`None`).
    WordOrOff,
    /// A secret the configuration type keeps out of its file format (`#[serde(skip)]`): it
    /// never joins the layered values, so no error message shows it; the function stores it
    /// into the finished configuration (as it is, like [`EnvKind::Text`]). Like any other
    /// variable it turns on the section its setting is in.
    Secret(fn(&mut T, String)),
}

impl<T> EnvVar<T> {
    /// A variable taken as it is ([`EnvKind::Text`]).
    pub const fn text(name: &'static str, path: &'static str) -> Self {
        Self::new(name, path, EnvKind::Text)
    }

    /// A variable trimmed, then read by the setting's type ([`EnvKind::Word`]).
    pub const fn word(name: &'static str, path: &'static str) -> Self {
        Self::new(name, path, EnvKind::Word)
    }

    /// An unsigned integer ([`EnvKind::Number`]).
    pub const fn number(name: &'static str, path: &'static str) -> Self {
        Self::new(name, path, EnvKind::Number)
    }

    /// `true` or `false` ([`EnvKind::Bool`]).
    pub const fn bool(name: &'static str, path: &'static str) -> Self {
        Self::new(name, path, EnvKind::Bool)
    }

    /// A word, or `off` for `None` ([`EnvKind::WordOrOff`]).
    pub const fn word_or_off(name: &'static str, path: &'static str) -> Self {
        Self::new(name, path, EnvKind::WordOrOff)
    }

    /// A secret, stored by `set` ([`EnvKind::Secret`]).
    pub const fn secret(name: &'static str, path: &'static str, set: fn(&mut T, String)) -> Self {
        Self::new(name, path, EnvKind::Secret(set))
    }

    const fn new(name: &'static str, path: &'static str, kind: EnvKind<T>) -> Self {
        Self { name, path, kind }
    }

    /// A typical valid value of the variable's kind (`7`, `true`, `off`, an address), for
    /// the services' tests that every variable of their table sets its setting.
    pub fn example(&self) -> &'static str {
        match self.kind {
            EnvKind::Text | EnvKind::Secret(_) => "example",
            EnvKind::Word => "127.0.0.1:7",
            EnvKind::Number => "7",
            EnvKind::Bool => "true",
            EnvKind::WordOrOff => "off",
        }
    }
}

/// The command-line flags that were given, each with the setting it overrides.
pub struct Flags {
    given: Vec<(&'static str, Result<Value, String>)>,
}

impl Default for Flags {
    fn default() -> Self {
        Self::new()
    }
}

impl Flags {
    /// No flags.
    pub fn new() -> Self {
        Flags { given: Vec::new() }
    }

    /// Sets `path` (`l1.rpc_url`) to `value` if the flag was given; `None` (a flag not given,
    /// a switch left off: `switch.then_some(true)`) leaves the setting to the layers below.
    /// `Some(None)` unsets an optional setting.
    pub fn set<V: Serialize>(mut self, path: &'static str, value: Option<V>) -> Self {
        if let Some(v) = value {
            self.given
                .push((path, Value::serialize(v).map_err(|e| e.to_string())));
        }
        self
    }
}

/// Where errors of the environment and flag layers come from ([`Metadata::source`]).
const ENV_SOURCE: &str = "environment";
const FLAGS_SOURCE: &str = "command-line flags";

/// The layers of one configuration of type `T`, lowest first: [`Layers::new`] (the
/// defaults), then [`Layers::file`], [`Layers::env`], [`Layers::flags`], in this order;
/// [`Layers::extract`] deserializes the result.
pub struct Layers<T> {
    figment: Figment,
    /// Variables applied, for errors to name them.
    env: Vec<&'static str>,
    /// Settings the flags set, for errors to name them.
    flags: Vec<&'static str>,
    /// Secrets, stored after extraction.
    secrets: Vec<PendingSecret<T>>,
}

/// A secret's value and the function that stores it.
type PendingSecret<T> = (fn(&mut T, String), String);

impl<T: Serialize + DeserializeOwned> Layers<T> {
    /// The defaults, usually `T::default()`.
    pub fn new(defaults: &T) -> Self {
        Layers {
            figment: Figment::from(Serialized::defaults(defaults)),
            env: Vec::new(),
            flags: Vec::new(),
            secrets: Vec::new(),
        }
    }

    /// A TOML file over the layers so far: settings it leaves out keep their value. A
    /// missing or unreadable file is an error ([`ConfigError::Read`]), and so is invalid
    /// TOML ([`ConfigError::Parse`]); a value of the wrong type or an unknown key is reported
    /// by [`Layers::extract`], naming the file and the setting.
    pub fn file(mut self, path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        let mut data = Toml::string(&text).data().map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })?;
        let values = data.remove(&Profile::Default).unwrap_or_default();
        self.figment = self.figment.merge(Layer {
            metadata: Metadata::from("TOML file", path),
            values,
        });
        Ok(self)
    }

    /// The environment variables of `table` that `get` finds (`|k| std::env::var(k).ok()`),
    /// in table order. A number or boolean that does not parse is an error naming the
    /// variable at once; one its setting's type refuses is, from [`Layers::extract`].
    pub fn env(
        mut self,
        table: &[EnvVar<T>],
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        for var in table {
            let Some(text) = get(var.name) else {
                continue;
            };
            let values = match var.kind {
                EnvKind::Text => nested(var.path, Value::from(text)),
                EnvKind::Word => nested(var.path, Value::from(text.trim())),
                EnvKind::Number => {
                    nested(var.path, Value::from(parse_env::<u64>(var.name, &text)?))
                }
                EnvKind::Bool => nested(var.path, Value::from(parse_env::<bool>(var.name, &text)?)),
                EnvKind::WordOrOff if text.trim() == "off" => {
                    nested(var.path, Value::Empty(Tag::Default, Empty::None))
                }
                EnvKind::WordOrOff => nested(var.path, Value::from(text.trim())),
                EnvKind::Secret(set) => {
                    self.secrets.push((set, text));
                    // Only the section it is in joins the layers: an empty table, which
                    // turns the section on and leaves its values as they are.
                    match var.path.rsplit_once('.') {
                        Some((section, _)) => nested(section, Value::from(Dict::new())),
                        None => continue,
                    }
                }
            };
            self.figment = self.figment.merge(Layer {
                metadata: Metadata::from(var.name, ENV_SOURCE),
                values,
            });
            self.env.push(var.name);
        }
        Ok(self)
    }

    /// The flags given, over everything else.
    pub fn flags(mut self, flags: Flags) -> Result<Self, ConfigError> {
        for (path, value) in flags.given {
            let value = value.map_err(|message| ConfigError::Invalid {
                field: path,
                message,
            })?;
            self.figment = self.figment.merge(Layer {
                metadata: Metadata::from(path, FLAGS_SOURCE),
                values: nested(path, value),
            });
            self.flags.push(path);
        }
        Ok(self)
    }

    /// The configuration: the merged layers deserialized into `T`, then the secrets stored.
    /// An error names the layer of the offending value: the file and the setting, the
    /// variable, or the setting a flag set.
    pub fn extract(self) -> Result<T, ConfigError> {
        let mut config: T = self.figment.extract().map_err(|e| self.error(e))?;
        for (set, value) in self.secrets {
            set(&mut config, value);
        }
        Ok(config)
    }

    fn error(&self, e: figment::Error) -> ConfigError {
        let key = e.path.join(".");
        let message = e.kind.to_string();
        let keyed = if key.is_empty() {
            message.clone()
        } else {
            format!("{key}: {message}")
        };
        let metadata = e.metadata.as_ref();
        let named = |names: &[&'static str]| {
            let name = metadata.map(|m| &m.name)?;
            names.iter().rev().copied().find(|n| *n == name)
        };
        match metadata.and_then(|m| m.source.as_ref()) {
            Some(Source::File(path)) => ConfigError::Parse {
                path: path.clone(),
                message: keyed,
            },
            Some(Source::Custom(s)) if s == ENV_SOURCE => match named(&self.env) {
                Some(name) => ConfigError::Env { name, message },
                None => ConfigError::Invalid {
                    field: "environment",
                    message: keyed,
                },
            },
            Some(Source::Custom(s)) if s == FLAGS_SOURCE => ConfigError::Invalid {
                field: named(&self.flags).unwrap_or("flags"),
                message,
            },
            // The defaults: the type cannot read what it serialized.
            _ => ConfigError::Invalid {
                field: "defaults",
                message: keyed,
            },
        }
    }
}

/// A service configuration that layers defaults → file → environment → flags: the service
/// names its variables ([`LayeredConfig::ENV_VARS`]) and gets `load` and `from_file`.
pub trait LayeredConfig: Default + Serialize + DeserializeOwned + 'static {
    /// The service's environment variables, each with the setting it sets.
    const ENV_VARS: &'static [EnvVar<Self>];

    /// The configuration: defaults, then the TOML `file`, then the [`Self::ENV_VARS`] that
    /// `env` finds (`|k| std::env::var(k).ok()`), then `flags`.
    fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: Flags,
    ) -> Result<Self, ConfigError> {
        load(&Self::default(), file, Self::ENV_VARS, env, flags)
    }

    /// Reads a TOML file over the defaults.
    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        Self::load(Some(path), |_| None, Flags::new())
    }
}

/// Defaults ← `file` (if any) ← the variables of `env` that `get` finds ← `flags`.
pub fn load<T: Serialize + DeserializeOwned>(
    defaults: &T,
    file: Option<&Path>,
    env: &[EnvVar<T>],
    get: impl Fn(&str) -> Option<String>,
    flags: Flags,
) -> Result<T, ConfigError> {
    let mut layers = Layers::new(defaults);
    if let Some(path) = file {
        layers = layers.file(path)?;
    }
    layers.env(env, get)?.flags(flags)?.extract()
}

/// `value` at the dotted `path`: `nested("a.b", v)` is `{ a = { b = v } }`.
fn nested(path: &str, value: Value) -> Dict {
    match path.rsplit_once('.') {
        Some((parent, leaf)) => nested(parent, Value::from(Dict::from([(leaf.into(), value)]))),
        None => Dict::from([(path.into(), value)]),
    }
}

/// One layer's values, with the metadata that errors name it by.
struct Layer {
    metadata: Metadata,
    values: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Sample {
        port: u16,
        name: String,
    }

    impl Default for Sample {
        fn default() -> Self {
            Sample {
                port: 1,
                name: "d".into(),
            }
        }
    }

    fn temp(name: &str, text: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("quire-kit-{}-{name}", std::process::id()));
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }

    #[test]
    fn a_file_overrides_only_what_it_names() {
        let p = temp("ok.toml", "port = 9\n");
        let s: Sample = read_toml(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s,
            Sample {
                port: 9,
                name: "d".into()
            }
        );
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let p = temp("bad.toml", "port = \"x\"\n");
        let e = read_toml::<Sample>(&p).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("bad.toml") && e.contains("port"), "{e}");
        let missing = read_toml::<Sample>(Path::new("/nonexistent/quire.toml")).err();
        assert!(matches!(missing, Some(ConfigError::Read { .. })));
        let e = parse_env::<u16>("QUIRE_PORT", "70000")
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("QUIRE_PORT"));
        assert_eq!(parse_env::<u16>("QUIRE_PORT", " 80\n").ok(), Some(80));
    }

    #[test]
    fn key_files_are_trimmed() {
        let p = temp("key", "0xabc\n");
        assert_eq!(read_key_file(&p).ok().as_deref(), Some("0xabc"));
    }

    /// A service-like configuration: nested tables, an optional section with a secret.
    #[derive(Debug, PartialEq, serde::Deserialize, Serialize)]
    #[serde(default, deny_unknown_fields)]
    struct Service {
        name: String,
        url: String,
        listen: SocketAddr,
        metrics: Option<SocketAddr>,
        limits: Limits,
        remote: Option<Remote>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize, Serialize)]
    #[serde(default, deny_unknown_fields)]
    struct Limits {
        a: u16,
        b: u64,
        c: u64,
        d: u64,
        on: bool,
    }

    impl Default for Limits {
        fn default() -> Self {
            Limits {
                a: 1,
                b: 1,
                c: 1,
                d: 1,
                on: false,
            }
        }
    }

    #[derive(Debug, Default, PartialEq, serde::Deserialize, Serialize)]
    #[serde(default, deny_unknown_fields)]
    struct Remote {
        url: String,
        retries: u32,
        #[serde(skip)]
        key: Option<String>,
    }

    impl Default for Service {
        fn default() -> Self {
            Service {
                name: "default".into(),
                url: "sqlite:a.db".into(),
                listen: SocketAddr::from(([127, 0, 0, 1], 1)),
                metrics: Some(SocketAddr::from(([127, 0, 0, 1], 2))),
                limits: Limits::default(),
                remote: None,
            }
        }
    }

    fn set_key(s: &mut Service, key: String) {
        s.remote.get_or_insert_with(Remote::default).key = Some(key);
    }

    const ENV: &[EnvVar<Service>] = &[
        EnvVar::text("URL", "url"),
        EnvVar::text("T_URL", "url"),
        EnvVar::text("T_NAME", "name"),
        EnvVar::word("T_LISTEN", "listen"),
        EnvVar::word_or_off("T_METRICS", "metrics"),
        EnvVar::number("T_A", "limits.a"),
        EnvVar::number("T_C", "limits.c"),
        EnvVar::number("T_D", "limits.d"),
        EnvVar::bool("T_ON", "limits.on"),
        EnvVar::number("T_REMOTE_RETRIES", "remote.retries"),
        EnvVar::secret("T_REMOTE_KEY", "remote.key", set_key),
    ];

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn load_with(
        file: Option<&Path>,
        vars: &'static [(&'static str, &'static str)],
        flags: Flags,
    ) -> Result<Service, ConfigError> {
        load(&Service::default(), file, ENV, env(vars), flags)
    }

    #[test]
    fn each_layer_overrides_the_ones_below() {
        // `limits.a`: default, file, env, flag; `b`: default, file; `c`: default, file,
        // env; `d`: default, env, flag; `name`: default only.
        let file = temp("layers.toml", "[limits]\na = 2\nb = 2\nc = 2\n");
        let vars = &[("T_A", "3"), ("T_C", " 3\n"), ("T_D", "3")];
        let flags = Flags::new()
            .set("limits.a", Some(4u16))
            .set("limits.d", Some(4u64))
            .set("limits.on", None::<bool>);
        let s = load_with(Some(&file), vars, flags).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.limits.a, s.limits.b, s.limits.c, s.limits.d),
            (4, 2, 3, 4)
        );
        assert_eq!(s.name, "default");
        assert!(!s.limits.on);
        // Without the flags the environment wins, without it the file.
        let s = load_with(Some(&file), vars, Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.limits.a, s.limits.d), (3, 3));
        let s = load_with(Some(&file), &[], Flags::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.limits.a, s.limits.d), (2, 1));
        assert_eq!(
            load_with(None, &[], Flags::new()).unwrap_or_else(|e| panic!("{e}")),
            Service::default()
        );
        // Two variables of one setting: the later one in the table wins.
        let s = load_with(None, &[("T_URL", "b"), ("URL", "a")], Flags::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.url, "b");
    }

    #[test]
    fn errors_name_the_variable_the_file_and_the_setting() {
        let e = |vars| match load_with(None, vars, Flags::new()) {
            Err(ConfigError::Env { name, message }) => format!("{name}: {message}"),
            other => panic!("{other:?}"),
        };
        // Not a number at all, a number the setting's type refuses, not an address.
        assert!(e(&[("T_A", "x")]).starts_with("T_A: "));
        assert!(
            e(&[("T_A", "70000")]).starts_with("T_A: "),
            "{}",
            e(&[("T_A", "70000")])
        );
        assert!(e(&[("T_ON", "yes")]).starts_with("T_ON: "));
        assert!(e(&[("T_LISTEN", "nope")]).starts_with("T_LISTEN: "));
        assert!(e(&[("T_METRICS", "nope")]).starts_with("T_METRICS: "));

        let file = temp("bad-layers.toml", "[limits]\nx = 1\n");
        let err = load_with(Some(&file), &[], Flags::new()).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
        let err = err.to_string();
        assert!(
            err.contains("bad-layers.toml") && err.contains("limits.x"),
            "{err}"
        );
        let file = temp("bad-type.toml", "listen = 5\n");
        let err = load_with(Some(&file), &[], Flags::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad-type.toml") && err.contains("listen"),
            "{err}"
        );
        let file = temp("bad-syntax.toml", "listen = \n");
        let err = load_with(Some(&file), &[], Flags::new()).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
        let err = load_with(Some(Path::new("/nonexistent/q.toml")), &[], Flags::new());
        assert!(matches!(err, Err(ConfigError::Read { .. })));

        let err = load_with(None, &[], Flags::new().set("limits.a", Some("x")));
        assert!(
            matches!(
                err,
                Err(ConfigError::Invalid {
                    field: "limits.a",
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn text_stays_text_off_unsets_and_sections_turn_on() {
        // A name that looks like a number, an address with whitespace.
        let s = load_with(
            None,
            &[
                ("T_NAME", "0042"),
                ("T_LISTEN", " 127.0.0.1:9\n"),
                ("T_METRICS", "off"),
            ],
            Flags::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.name, "0042");
        assert_eq!(s.listen, SocketAddr::from(([127, 0, 0, 1], 9)));
        assert_eq!(s.metrics, None);
        let s = load_with(None, &[("T_METRICS", "127.0.0.1:7")], Flags::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.metrics, Some(SocketAddr::from(([127, 0, 0, 1], 7))));
        // `Some(None)` from a flag unsets an optional setting too.
        let s = load_with(
            None,
            &[],
            Flags::new().set("metrics", Some(None::<SocketAddr>)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.metrics, None);

        // One variable inside the optional section turns it on, defaults for the rest.
        let s = load_with(None, &[("T_REMOTE_RETRIES", "3")], Flags::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let remote = Remote {
            retries: 3,
            ..Remote::default()
        };
        assert_eq!(s.remote.as_ref(), Some(&remote));
        // So does a secret alone, which only the configuration holds.
        let s = load_with(None, &[("T_REMOTE_KEY", "s3cret")], Flags::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let remote = Remote {
            key: Some("s3cret".into()),
            ..Remote::default()
        };
        assert_eq!(s.remote.as_ref(), Some(&remote));
        // The file's section and the secret: both kept, whatever the order.
        let file = temp("remote.toml", "[remote]\nurl = \"u\"\n");
        let s = load_with(Some(&file), &[("T_REMOTE_KEY", "k")], Flags::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let remote = s.remote.unwrap_or_else(|| panic!("section"));
        assert_eq!(
            (remote.url.as_str(), remote.key.as_deref()),
            ("u", Some("k"))
        );
        // A flag inside the section turns it on as well.
        let s = load_with(None, &[], Flags::new().set("remote.url", Some("f")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.remote.map(|r| r.url).as_deref(), Some("f"));
        assert!(load_with(None, &[], Flags::new())
            .unwrap_or_else(|e| panic!("{e}"))
            .remote
            .is_none());
    }

    #[test]
    fn a_secret_never_appears_in_an_error() {
        let err = load_with(
            None,
            &[("T_REMOTE_KEY", "s3cret"), ("T_A", "70000")],
            Flags::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("s3cret"), "{err}");
    }
}
