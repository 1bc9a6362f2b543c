//! The INI dialect of oslo.config (`iniparser.py`). Being implemented.
