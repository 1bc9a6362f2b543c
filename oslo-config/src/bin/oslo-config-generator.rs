//! `oslo-config-generator`: the sample config generator with no
//! namespaces of its own (options come from `--opt-data` files written by
//! the Python generator). A service links the crate, registers its
//! namespaces in a `NamespaceRegistry` and calls the same `main`.

use oslo_config::generator::{self, NamespaceRegistry};

fn main() {
    std::process::exit(generator::main(
        std::env::args_os().collect(),
        &NamespaceRegistry::new(),
    ));
}
