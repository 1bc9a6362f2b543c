//! `oslo-config-validator`. Being implemented.
