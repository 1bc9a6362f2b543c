//! Policy files read as PyYAML's `yaml.safe_load` reads them (being written).
