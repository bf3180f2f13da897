//! ARCHITECTURE.md's mode table is the policy's (`prover::stark::policy::table`): the text
//! between its markers must be exactly what `markdown()` renders, so that the documented
//! modes cannot drift from what the store and the memory model do. `BLESS=1 cargo test
//! --release -p prover --test mode_table` rewrites it.

use std::path::PathBuf;

use prover::stark::policy::table::{self, BEGIN, END};

#[test]
fn architecture_holds_the_mode_table_rendered_from_the_policy() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md");
    let doc = std::fs::read_to_string(&path).expect("ARCHITECTURE.md is readable");
    let want = table::markdown();
    let Some(have) = table::embedded(&doc) else {
        panic!("ARCHITECTURE.md lacks the mode table's markers:\n{BEGIN}\n{END}");
    };
    if have == want {
        return;
    }
    if std::env::var_os("BLESS").is_some() {
        let new = table::splice(&doc, &want).expect("the markers are there");
        std::fs::write(&path, new).expect("ARCHITECTURE.md is writable");
        return;
    }
    panic!(
        "ARCHITECTURE.md's mode table differs from the policy's \
         (prover::stark::policy::table::markdown).\n\
         Regenerate it: BLESS=1 cargo test --release -p prover --test mode_table\n\
         --- in ARCHITECTURE.md:\n{have}\n--- rendered:\n{want}"
    );
}
