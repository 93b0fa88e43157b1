//! `[distribution] import = "file.json"` in a scenario: the imported origins,
//! origin groups and behaviors merged into the scenario document before it is
//! validated like any other.
