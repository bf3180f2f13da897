//! The memory modes: their names, their `+`-joined combinations, and which ones the prover
//! implements.
//!
//! A [`MemoryMode`] is a set of independent flags. `default` is the empty set; every other
//! name adds one flag, and names join with `+` (`stream-lde+leaf-drop+trace-retire`). The
//! canonical spelling lists the flags in [`Flag::ALL`] order, so `leaf-drop+stream-lde`
//! prints as `stream-lde+leaf-drop`.
//!
//! A mode changes memory and time, never the proof bytes. A flag the prover does not
//! implement yet is an error naming it ([`ModeError::Unavailable`]); nothing ever falls back
//! to `default`.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::stark::MemoryPlan;

/// One memory-saving technique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// Drop each LDE after its commitment; recompute it from the trace when rounds 2-4
    /// need it.
    StreamLde,
    /// Hold only the top of each committed Merkle tree (levels 6 and up, not 4 and up as
    /// every mode does); re-hash the opened leaf's 64-row subtree from its LDE rows.
    LeafDrop,
    /// Keep the compact routed intermediate instead of the traces; rebuild a chunk's trace
    /// on demand and drop it after each use.
    TraceRetire,
    /// Prove in epochs (continuations); verify each epoch proof as soon as it is made and
    /// drop it.
    VerifyAndDrop,
}

impl Flag {
    /// Every flag, in canonical order.
    pub const ALL: [Flag; 4] = [
        Flag::StreamLde,
        Flag::LeafDrop,
        Flag::TraceRetire,
        Flag::VerifyAndDrop,
    ];

    /// The flag's name on the command line and in results files.
    pub const fn name(self) -> &'static str {
        match self {
            Flag::StreamLde => "stream-lde",
            Flag::LeafDrop => "leaf-drop",
            Flag::TraceRetire => "trace-retire",
            Flag::VerifyAndDrop => "verify-and-drop",
        }
    }

    /// Whether the prover implements this flag (see [`MemoryMode::check_available`]).
    pub const fn is_available(self) -> bool {
        match self {
            Flag::StreamLde | Flag::LeafDrop | Flag::TraceRetire | Flag::VerifyAndDrop => true,
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A combination of [`Flag`]s; the empty combination is `default`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemoryMode(u8);

/// Why a mode name or list was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModeError {
    /// A name that is no mode.
    #[error(
        "unknown mode `{name}` (modes: default, stream-lde, leaf-drop, trace-retire, verify-and-drop, `+`-joined combinations, or `all`)"
    )]
    Unknown {
        /// The name as given.
        name: String,
    },
    /// A flag named twice in one combination.
    #[error("mode `{mode}` names `{flag}` twice")]
    Repeated {
        /// The combination as given.
        mode: String,
        /// The repeated flag.
        flag: &'static str,
    },
    /// `default` joined with something else.
    #[error("mode `{mode}`: `default` cannot be combined with other modes")]
    DefaultCombined {
        /// The combination as given.
        mode: String,
    },
    /// An empty name or list.
    #[error("empty mode list")]
    Empty,
    /// A memory budget asked of a mode it cannot apply to ([`MemoryMode::takes_budget`]).
    #[error(
        "mode `{0}` takes no memory budget: a budget applies to modes with both stream-lde and trace-retire, and without verify-and-drop"
    )]
    NoBudget(MemoryMode),
    /// An empty item in a comma-separated list (`default,`).
    #[error("mode list `{list}`: item {position} is empty (modes are separated by single commas)")]
    EmptyItem {
        /// The list as given.
        list: String,
        /// The empty item's position, from 1.
        position: usize,
    },
    /// An empty flag name around a `+` (`stream-lde+`).
    #[error(
        "mode `{mode}`: an empty name around `+` (combinations join flags: stream-lde+leaf-drop)"
    )]
    EmptyFlag {
        /// The combination as given.
        mode: String,
    },
    /// `all` where one mode is wanted.
    #[error(
        "`all` stands for every mode, and this command takes one mode (default, stream-lde, leaf-drop, trace-retire, verify-and-drop, or a `+`-joined combination)"
    )]
    OneMode,
    /// A mode the prover does not implement yet.
    #[error("mode `{mode}` is not available: the prover does not implement `{flag}` yet")]
    Unavailable {
        /// The mode asked for.
        mode: String,
        /// Its first unimplemented flag.
        flag: &'static str,
    },
}

impl MemoryMode {
    /// The mode that retires nothing.
    pub const DEFAULT: MemoryMode = MemoryMode(0);

    /// The mode made of exactly `flags`.
    pub fn of(flags: &[Flag]) -> Self {
        MemoryMode(flags.iter().fold(0, |acc, f| acc | f.bit()))
    }

    /// Whether `flag` is on.
    pub const fn has(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }

    /// The flags that are on, in canonical order.
    pub fn flags(self) -> Vec<Flag> {
        Flag::ALL.into_iter().filter(|&f| self.has(f)).collect()
    }

    /// Whether this is `default`.
    pub const fn is_default(self) -> bool {
        self.0 == 0
    }

    /// `Ok` when the prover implements every flag of this mode.
    pub fn check_available(self) -> Result<(), ModeError> {
        match self.flags().into_iter().find(|f| !f.is_available()) {
            None => Ok(()),
            Some(flag) => Err(ModeError::Unavailable {
                mode: self.to_string(),
                flag: flag.name(),
            }),
        }
    }

    /// Whether a prove in this mode can spend a memory budget
    /// ([`MemoryPlan::stark_budget`]): it streams its LDEs (else nothing is made again that
    /// the budget could keep) and retires its traces (else the zkVM holds them outside the
    /// prover, freeing them chunk by chunk, so a whole-prove budget does not translate into
    /// one for the prover alone), and proves the whole run (`verify-and-drop` proves in
    /// epochs).
    pub fn takes_budget(self) -> bool {
        self.has(Flag::StreamLde) && self.has(Flag::TraceRetire) && !self.has(Flag::VerifyAndDrop)
    }

    /// `Ok` when a prove in this mode may be given `budget` (none, or a mode that
    /// [takes one](MemoryMode::takes_budget)).
    pub fn check_budget(self, budget: Option<u64>) -> Result<(), ModeError> {
        if budget.is_some() && !self.takes_budget() {
            return Err(ModeError::NoBudget(self));
        }
        Ok(())
    }

    /// This mode without `flag`.
    pub fn without(self, flag: Flag) -> MemoryMode {
        MemoryMode(self.0 & !flag.bit())
    }

    /// The STARK prover's [`MemoryPlan`] for this mode, with `table_parallelism` instances
    /// in flight per phase (`None`: automatic). `verify-and-drop` is not a prover plan (it
    /// splits the run into epochs) and leaves the plan unchanged.
    pub fn plan(self, table_parallelism: Option<NonZeroUsize>) -> MemoryPlan {
        MemoryPlan {
            stream_lde: self.has(Flag::StreamLde),
            leaf_drop: self.has(Flag::LeafDrop),
            retire_traces: self.has(Flag::TraceRetire),
            table_parallelism,
            stark_budget: None,
        }
    }

    /// What `all` stands for: `default`, every single flag, and the full streaming
    /// combination `stream-lde+leaf-drop+trace-retire`.
    pub fn all() -> Vec<MemoryMode> {
        let mut modes = vec![MemoryMode::DEFAULT];
        modes.extend(Flag::ALL.iter().map(|&f| MemoryMode::of(&[f])));
        modes.push(MemoryMode::of(&[
            Flag::StreamLde,
            Flag::LeafDrop,
            Flag::TraceRetire,
        ]));
        modes
    }

    /// Parses a comma-separated list of modes (`default,stream-lde+leaf-drop`) or `all`.
    /// Repeated entries are kept once, in first-seen order. `all` expands to
    /// [`MemoryMode::all`], availability unchecked: callers decide whether to skip or refuse
    /// what is not available.
    pub fn parse_list(list: &str) -> Result<Vec<MemoryMode>, ModeError> {
        let mut out: Vec<MemoryMode> = Vec::new();
        let items: Vec<&str> = list.split(',').map(str::trim).collect();
        if items.len() > 1
            && let Some(i) = items.iter().position(|i| i.is_empty())
        {
            return Err(ModeError::EmptyItem {
                list: list.to_string(),
                position: i + 1,
            });
        }
        for item in items {
            let expanded = if item == "all" {
                MemoryMode::all()
            } else {
                vec![item.parse()?]
            };
            for mode in expanded {
                if !out.contains(&mode) {
                    out.push(mode);
                }
            }
        }
        if out.is_empty() {
            return Err(ModeError::Empty);
        }
        Ok(out)
    }
}

impl FromStr for MemoryMode {
    type Err = ModeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ModeError::Empty);
        }
        if s == "default" {
            return Ok(MemoryMode::DEFAULT);
        }
        if s == "all" {
            return Err(ModeError::OneMode);
        }
        let mut mode = MemoryMode::DEFAULT;
        for part in s.split('+').map(str::trim) {
            if part.is_empty() {
                return Err(ModeError::EmptyFlag {
                    mode: s.to_string(),
                });
            }
            if part == "default" {
                return Err(ModeError::DefaultCombined {
                    mode: s.to_string(),
                });
            }
            let flag = Flag::ALL
                .into_iter()
                .find(|f| f.name() == part)
                .ok_or_else(|| ModeError::Unknown {
                    name: part.to_string(),
                })?;
            if mode.has(flag) {
                return Err(ModeError::Repeated {
                    mode: s.to_string(),
                    flag: flag.name(),
                });
            }
            mode.0 |= flag.bit();
        }
        Ok(mode)
    }
}

impl fmt::Display for MemoryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_default() {
            return f.write_str("default");
        }
        let names: Vec<&str> = self.flags().into_iter().map(Flag::name).collect();
        f.write_str(&names.join("+"))
    }
}

impl Serialize for MemoryMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MemoryMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_canonical_order() {
        let m: MemoryMode = "trace-retire+stream-lde".parse().unwrap();
        assert_eq!(m.to_string(), "stream-lde+trace-retire");
        assert_eq!(m.flags(), vec![Flag::StreamLde, Flag::TraceRetire]);
        assert_eq!(
            "default".parse::<MemoryMode>().unwrap(),
            MemoryMode::DEFAULT
        );
        for mode in MemoryMode::all() {
            assert_eq!(mode.to_string().parse::<MemoryMode>().unwrap(), mode);
        }
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"stream-lde+trace-retire\"");
        assert_eq!(serde_json::from_str::<MemoryMode>(&json).unwrap(), m);
    }

    #[test]
    fn bad_names_are_errors_that_name_them() {
        let e = "stream-lde+fast".parse::<MemoryMode>().unwrap_err();
        assert_eq!(
            e,
            ModeError::Unknown {
                name: "fast".into()
            }
        );
        assert!(e.to_string().contains("`fast`"));
        assert!(matches!(
            "leaf-drop+leaf-drop".parse::<MemoryMode>(),
            Err(ModeError::Repeated {
                flag: "leaf-drop",
                ..
            })
        ));
        assert!(matches!(
            "default+leaf-drop".parse::<MemoryMode>(),
            Err(ModeError::DefaultCombined { .. })
        ));
        assert_eq!("".parse::<MemoryMode>(), Err(ModeError::Empty));
        assert!("stream-lde+".parse::<MemoryMode>().is_err());
        assert!(serde_json::from_str::<MemoryMode>("\"bogus\"").is_err());
    }

    #[test]
    fn lists_expand_all_and_drop_repeats() {
        let all = MemoryMode::all();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], MemoryMode::DEFAULT);
        assert_eq!(all[5].to_string(), "stream-lde+leaf-drop+trace-retire");
        assert_eq!(MemoryMode::parse_list("all").unwrap(), all);
        assert_eq!(MemoryMode::parse_list("default, all").unwrap(), all);
        let two = MemoryMode::parse_list("leaf-drop,default,leaf-drop").unwrap();
        assert_eq!(
            two,
            vec![MemoryMode::of(&[Flag::LeafDrop]), MemoryMode::DEFAULT]
        );
        assert!(MemoryMode::parse_list("default,nope").is_err());
        assert!(MemoryMode::parse_list(",").is_err());
    }

    #[test]
    fn empty_items_and_all_as_one_mode_are_named() {
        assert_eq!(
            MemoryMode::parse_list("default,"),
            Err(ModeError::EmptyItem {
                list: "default,".into(),
                position: 2
            })
        );
        assert_eq!(
            "stream-lde+".parse::<MemoryMode>(),
            Err(ModeError::EmptyFlag {
                mode: "stream-lde+".into()
            })
        );
        assert_eq!("all".parse::<MemoryMode>(), Err(ModeError::OneMode));
    }

    #[test]
    fn availability_names_the_missing_flag() {
        assert_eq!(MemoryMode::DEFAULT.check_available(), Ok(()));
        for flag in Flag::ALL {
            let mode = MemoryMode::of(&[flag]);
            match mode.check_available() {
                Ok(()) => assert!(flag.is_available()),
                Err(ModeError::Unavailable { flag: name, .. }) => {
                    assert!(!flag.is_available());
                    assert_eq!(name, flag.name());
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
    }
}
