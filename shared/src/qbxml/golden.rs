//! Test helper: compare output with a checked-in file under `shared/tests/golden/`.
//! Run the tests with `QUAYSIDE_BLESS=1` to (re)write the expected files, then review the diff.

use std::path::PathBuf;

/// Asserts that `actual` equals the golden file `name` (relative to `shared/tests/golden`).
pub(crate) fn assert_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    // Only `QUAYSIDE_BLESS=1`, and never in CI: a stray variable must not turn every golden
    // comparison into a pass.
    if std::env::var("QUAYSIDE_BLESS").as_deref() == Ok("1") {
        assert!(
            std::env::var_os("CI").is_none(),
            "QUAYSIDE_BLESS=1 rewrites the golden files; not in CI"
        );
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create golden dir");
        }
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "missing golden file {}: {e} (run with QUAYSIDE_BLESS=1)",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "output differs from golden file {}",
        path.display()
    );
}
