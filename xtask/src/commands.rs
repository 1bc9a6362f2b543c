//! Every binary the workspace installs, as a clap command.

use clap::CommandFactory;

use crate::{TaskError, from_argparse};

/// The commands, one per binary.
pub fn all() -> Result<Vec<clap::Command>, TaskError> {
    let generator = oslo_config::generator::command_doc().map_err(|e| TaskError::Describe {
        tool: "oslo-config-generator".to_owned(),
        message: e.to_string(),
    })?;
    let validator = oslo_config::validator::command_doc().map_err(|e| TaskError::Describe {
        tool: "oslo-config-validator".to_owned(),
        message: e.to_string(),
    })?;
    Ok(vec![
        oslo_rootwrap::cli::command(),
        oslo_rootwrap::cli::daemon_command(),
        oslo_policy::tools::policy::command(),
        oslo_policy::tools::checker::command(),
        oslo_policy::tools::sample_generator::command(),
        oslo_policy::tools::policy_generator::command(),
        oslo_policy::tools::list_redundant::command(),
        oslo_policy::tools::validator::command(),
        oslo_policy::tools::convert_json_to_yaml::command(),
        oslo_policy::tools::policy_upgrade::command(),
        oslo_config::cli::Cli::command(),
        from_argparse(
            &generator,
            oslo_config::cli::VERSION,
            "Generate a sample configuration file, as oslo.config's tool does",
        ),
        from_argparse(
            &validator,
            oslo_config::cli::VERSION,
            "Validate a configuration file against a service's options, as oslo.config's tool does",
        ),
    ])
}
