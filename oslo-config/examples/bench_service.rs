//! The whole-process benchmark's service (`scripts/bench-config.sh`):
//! registers 300 options in 10 groups, parses the config file given on the
//! command line, reads every value, and prints how many it read.
//! `scripts/bench/config_service.py` is the same program on oslo.config.

use oslo_config::{CallArgs, ConfigOpts, Opt};

/// Option `i` of the benchmark (the Python side uses the same formula).
pub fn bench_opt(i: usize) -> Opt {
    let name = format!("opt{i}");
    match i % 6 {
        0 => Opt::string(&name).default(format!("value{i}")),
        1 => Opt::integer(&name).default(i as i64),
        2 => Opt::boolean(&name).default(false),
        3 => Opt::new(&name, oslo_config::Type::Float(Default::default())).default(0.5),
        4 => Opt::list(&name).default(vec!["a", "b"]),
        _ => Opt::port(&name).default(8000),
    }
}

fn main() {
    let mut conf = ConfigOpts::new();
    for i in 0..300 {
        let group = format!("group{}", i % 10);
        if let Err(e) = conf.register_opt(bench_opt(i), Some(&group)) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = conf.call(CallArgs::new(args).prog("bench").no_default_files()) {
        eprintln!("{}: {e}", e.python_class());
        std::process::exit(1);
    }
    let mut read = 0;
    for i in 0..300 {
        let group = format!("group{}", i % 10);
        match conf.get_in(Some(&group), &format!("opt{i}")) {
            Ok(v) if !v.is_none() => read += 1,
            Ok(_) => {}
            Err(e) => {
                eprintln!("{}: {e}", e.python_class());
                std::process::exit(1);
            }
        }
    }
    println!("{read}");
}
