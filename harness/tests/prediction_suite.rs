//! The memory model on the realistic suite's small sizes, through the built binary: for
//! each suite program at its 64k size, `bench predict`'s peak lies within 5 % of `bench
//! prove`'s exact peak in `default`, the three-flag combination and `verify-and-drop`
//! (every flag's rows, kind by kind and phase by phase, are checked on the small fixtures
//! in every mode by `prediction.rs`; here the question is whether real programs' table
//! shapes are predicted as well: 27 proves, about 1.5 min on 2 cores). `ecdsa_verify` has no
//! 64k size (one verification is 2.76 M cycles).

mod common;

use common::{peak_error, predicted_and_proved};

/// The modes checked: default, the leanest whole-run mode, the epoch mode.
const MODES: [&str; 3] = [
    "default",
    "stream-lde+leaf-drop+trace-retire",
    "verify-and-drop",
];

/// The largest error allowed, percent of the measured peak (the target).
const TOLERANCE_PCT: f64 = 5.0;

fn check(fixture: &str) {
    let mut failures = Vec::new();
    for (mode, (p, r)) in MODES.iter().zip(predicted_and_proved(fixture, &MODES, &[])) {
        let (predicted, measured, err) = peak_error(&p, &r);
        println!("{fixture} {mode}: predicted {predicted} measured {measured} ({err:+.2} %)");
        if err.abs() > TOLERANCE_PCT {
            failures.push(format!(
                "{mode}: peak {predicted} vs {measured} ({err:+.1} %)"
            ));
        }
    }
    assert!(failures.is_empty(), "{fixture}:\n{}", failures.join("\n"));
}

macro_rules! suite_program {
    ($($test:ident => $fixture:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            check($fixture);
        }
    )*};
}

suite_program! {
    interpreter_64k_within_five_percent => "interpreter_64k",
    quicksort_64k_within_five_percent => "quicksort_64k",
    json_64k_within_five_percent => "json_64k",
    regex_64k_within_five_percent => "regex_64k",
    hashmap_64k_within_five_percent => "hashmap_64k",
    sha256_chain_64k_within_five_percent => "sha256_chain_64k",
    keccak_chain_64k_within_five_percent => "keccak_chain_64k",
    bigint_modexp_64k_within_five_percent => "bigint_modexp_64k",
    merkle_paths_64k_within_five_percent => "merkle_paths_64k",
}

/// Every suite program with a 64k size is checked above (a program added to the suite
/// gets a test, or this fails).
#[test]
fn every_small_suite_program_is_checked() {
    let catalogue: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/catalogue.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let checked = include_str!("prediction_suite.rs");
    let fixtures = catalogue["fixtures"]
        .as_array()
        .or_else(|| catalogue.as_array())
        .expect("a fixture list");
    let mut small = 0;
    for f in fixtures {
        let name = f["name"].as_str().unwrap();
        if f["group"] == "suite" && name.ends_with("_64k") {
            small += 1;
            assert!(
                checked.contains(&format!("=> \"{name}\"")),
                "{name} has no prediction test"
            );
        }
    }
    assert_eq!(small, 9);
}
