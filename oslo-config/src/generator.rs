//! `oslo-config-generator`. Being implemented.
