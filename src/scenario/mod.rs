//! Scenarios: the mock tenant and the provisioning engine composed, driven by files
//! (TOML or JSON): who is in the directory, how the job is set, what Blink holds, which faults
//! it has, and what happens over time, with expectations. `blinksim run` plays them.

pub(crate) mod command;
pub(crate) mod expect;
pub(crate) mod junit;
pub(crate) mod load;
pub(crate) mod model;
pub(crate) mod output;
pub(crate) mod report;
pub(crate) mod runner;
pub(crate) mod world;

pub use command::{RunOptions, run};
pub use load::{LoadError, Scenario, load_path};
pub use report::{console, snapshot};
pub use runner::{Played, play};
pub use world::{Target, World, directory_section, prepare};
