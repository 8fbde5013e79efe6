//! Scenarios: the mock tenant and the provisioning engine composed, driven by files
//! (TOML or JSON): who is in the directory, how the job is set, what Blink holds, which faults
//! it has, and what happens over time, with expectations. `blinksim run` plays them.

pub mod command;
pub mod expect;
pub mod junit;
pub mod load;
pub mod model;
pub mod output;
pub mod report;
pub mod runner;
pub mod world;

pub use command::{RunOptions, run};
pub use load::{LoadError, Scenario, load_path};
pub use runner::{Played, play};
pub use world::{Target, World, prepare};
