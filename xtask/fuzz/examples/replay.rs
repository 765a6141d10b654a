//! Run files through one target's check, without libFuzzer (e.g. an artifact
//! of a crash, to see its panic with a backtrace):
//!
//!     cargo run --manifest-path xtask/fuzz/Cargo.toml --example replay -- <target> <file>...

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().expect("usage: replay <target> <file>...");
    let (_, check) = matrix_uia_fuzz::TARGETS
        .into_iter()
        .find(|(target, _)| *target == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    for path in args {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        check(&data);
        println!("{path}: ok");
    }
}
