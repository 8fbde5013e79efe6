//! The `blinksim` command line: parses flags and calls the library.

use blinksim::ExitStatus;
use blinksim::engine::{DirectorySpec, generate};
use blinksim::engine::{TrialError, try_expression};
use blinksim::scenario::directory_section;
use blinksim::scenario::{RunOptions, Target, run};
use blinksim::sim::{DEFAULT_START, unix_millis};
use blinksim::tenant::load_faults;
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[path = "cli/serve.rs"]
mod serve_cli;
use serve_cli::{ServeArgs, serve_command};

// mimalloc frees memory across threads without a shared lock: with the system allocator,
// the engine and the server threads contended on malloc arenas, which cost a third of the
// throughput of a loopback provisioning cycle (14.6 s vs 9.8 s for 100,000 users).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Test Blink user provisioning offline: a mock Blink SCIM tenant and a simulated Azure AD
/// provisioning engine.
#[derive(Parser)]
#[command(name = "blinksim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a mock Blink tenant (SCIM 2.0) over HTTP until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Play scenario files (or folders of them); exit 0 when every expectation held, 1 when
    /// one failed, 2 when a file is malformed (then nothing runs).
    Run(RunArgs),
    /// Generate test data.
    #[command(subcommand)]
    Gen(GenCommand),
    /// Evaluate an attribute-mapping expression for one user; exit 1 on an error.
    Expr(ExprArgs),
    /// Measure throughput: the engine's initial (and incremental) cycles over a generated
    /// directory, or with --raw a closed-loop HTTP load on one endpoint. Bounded; loopback
    /// unless told otherwise.
    Load(LoadArgs),
    /// Check what Entra will make of a SCIM endpoint: named checks sending what Entra sends;
    /// exit 0 when all pass, 1 when one fails, 2 when the target cannot be reached.
    Check(CheckArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The tenant URL, e.g. http://127.0.0.1:8080/scim.
    url: String,
    /// Bearer token.
    #[arg(long)]
    token: String,
    /// The attribute mappings to check for.
    #[arg(long, default_value = "blink", value_parser = ["blink", "generic"])]
    profile: String,
    /// Check groups even when the server does not advertise them.
    #[arg(long)]
    groups: bool,
    /// Only checks with this tag or name (repeatable).
    #[arg(long, value_name = "TAG")]
    only: Vec<String>,
    /// JSON on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Keep the objects the checks created.
    #[arg(long)]
    keep: bool,
    /// Allow a URL that is not on this machine.
    #[arg(long)]
    allow_remote: bool,
}

impl CheckArgs {
    fn options(&self) -> blinksim::check::CheckOptions {
        let mut options = blinksim::check::CheckOptions::new(&self.url, &self.token);
        if self.profile == "generic" {
            options.profile = blinksim::check::Profile::Generic;
        }
        options.groups = self.groups;
        options.only.clone_from(&self.only);
        options.keep = self.keep;
        options
    }

    fn outputs(&self) -> blinksim::check::Outputs {
        blinksim::check::Outputs {
            json: self.json,
            junit: self.junit.clone(),
            html: self.html.clone(),
        }
    }
}

#[derive(Args)]
struct LoadArgs {
    /// A plain closed-loop HTTP load on one endpoint instead of provisioning cycles.
    #[arg(long)]
    raw: bool,
    /// Also write a self-contained HTML page (users/s per cycle, latency per operation).
    #[arg(long, value_name = "FILE", conflicts_with = "raw")]
    html: Option<PathBuf>,
    /// Users in the generated directory (with --raw: prefilled in the embedded tenant).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    users: u64,
    /// Seed of the directory, the churn and the prefill.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Incremental cycles after the initial one.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1000))]
    incremental: u32,
    /// Percent of users changed before each incremental cycle.
    #[arg(long, default_value_t = 5.0)]
    churn: f64,
    /// Requests in flight (with --raw: connections).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    concurrency: u64,
    /// A SCIM tenant URL to load instead of the embedded tenant.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// Bearer token for --target.
    #[arg(long, env = "BLINKSIM_TARGET_TOKEN")]
    token: Option<String>,
    /// Allow a --target that is not on this machine.
    #[arg(long)]
    allow_remote: bool,
    /// Call the embedded tenant in-process, without HTTP (the engine and tenant alone).
    #[arg(long, conflicts_with_all = ["target", "raw"])]
    in_process: bool,
    /// Fault rules for the embedded tenant (TOML, `[[fault]]` tables).
    #[arg(long, value_name = "FILE", conflicts_with = "target")]
    faults: Option<PathBuf>,
    /// Stop after this long (e.g. 90s, 15m).
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    max_duration: Duration,
    /// --raw: how long to load.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// --raw: at most this many requests.
    #[arg(long)]
    max_requests: Option<u64>,
    /// --raw: method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// --raw: path under the tenant URL (default: a GET by filter on one userName).
    #[arg(long)]
    path: Option<String>,
    /// --raw: the userName of the default filter.
    #[arg(long)]
    user_name: Option<String>,
    /// --raw: request body (JSON).
    #[arg(long)]
    body: Option<String>,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_duration(text: &str) -> Result<Duration, blinksim::DurationError> {
    blinksim::parse_duration(text)
}

#[derive(Args)]
struct RunArgs {
    /// Scenario files (.toml or .json) or folders of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Send the job's requests to this SCIM tenant URL instead of the embedded mock tenant.
    #[arg(long, value_name = "URL", requires = "token")]
    target: Option<String>,
    /// Bearer token for --target.
    #[arg(long, env = "BLINKSIM_TARGET_TOKEN")]
    token: Option<String>,
    /// Write each scenario's logs, trace, tenant state and summary here.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print machine-readable summaries instead of the report.
    #[arg(long)]
    json: bool,
    /// Also write a JUnit XML report here (one testcase per expectation).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write the self-contained HTML report here (with several scenarios,
    /// FILE-<scenario>.html each); `--out` folders always get a report.html.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Stop with exit 1 after this long (e.g. 90s, 15m).
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    max_duration: Duration,
}

#[derive(Subcommand)]
enum GenCommand {
    /// Write a generated directory (JSON) that a scenario can include.
    Directory(GenDirectoryArgs),
}

#[derive(Args)]
struct GenDirectoryArgs {
    /// Number of users.
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Seed: the same seed gives the same directory.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Mail domain (derived from the generated company by default).
    #[arg(long, default_value = "")]
    domain: String,
    /// Percent of users assigned with the Default Access role.
    #[arg(long, default_value_t = 10)]
    default_access: u32,
    /// Percent of users assigned through the "Blink Users" group.
    #[arg(long, default_value_t = 10)]
    group_assigned: u32,
    /// Percent of users not assigned.
    #[arg(long, default_value_t = 5)]
    unassigned: u32,
    /// Percent of users with accountEnabled false.
    #[arg(long, default_value_t = 2)]
    disabled: u32,
    /// Direct reports per manager (0: no managers).
    #[arg(long, default_value_t = 8)]
    reports_per_manager: usize,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct ExprArgs {
    /// The expression, e.g. 'Join(" ", [givenName], [surname])'.
    expression: String,
    /// The source user: a JSON object, or a file holding one (a generated user by default).
    #[arg(long, value_name = "FILE_OR_JSON")]
    user: Option<String>,
    /// Seed of the generated user and of Guid()/RandomString().
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// "Now" for Now() and dates, RFC 3339 (2026-01-15T09:00:00Z by default).
    #[arg(long)]
    now: Option<String>,
    /// Print the source user the expression read, before the result.
    #[arg(long)]
    show_user: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("blinksim: cannot start the runtime: {e}");
            return ExitStatus::Malformed.into();
        }
    };
    match cli.command {
        Command::Run(args) => run_scenarios(args, &runtime),
        Command::Gen(GenCommand::Directory(args)) => gen_directory(args),
        Command::Expr(args) => expr(args),
        Command::Load(args) => runtime.block_on(load(args)),
        Command::Serve(args) => serve_command(args, &runtime),
        Command::Check(args) => {
            let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
            let (options, outputs) = (args.options(), args.outputs());
            let command = blinksim::check::command(
                &options,
                args.allow_remote,
                &outputs,
                &mut stdout,
                &mut stderr,
            );
            runtime.block_on(command).into()
        }
    }
}

/// `blinksim run`: plays the scenarios; past `--max-duration` it stops the process with exit 1.
fn run_scenarios(args: RunArgs, runtime: &tokio::runtime::Runtime) -> ExitCode {
    let target = match (args.target, args.token) {
        (Some(url), Some(token)) => Target::Http { url, token },
        _ => Target::Embedded,
    };
    let options = RunOptions {
        paths: args.paths,
        target,
        out: args.out,
        json: args.json,
        progress: !args.json && std::io::stderr().is_terminal(),
        junit: args.junit,
        html: args.html,
    };
    // Its own thread (the future borrows stdout as a `dyn Write`, which is not `Send`), so
    // the deadline holds even while a step computes.
    let handle = runtime.handle().clone();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
        let status = handle.block_on(run(&options, &mut stdout, &mut stderr));
        let _ = done.send(status);
    });
    match finished.recv_timeout(args.max_duration) {
        Ok(status) => ExitCode::from(u8::try_from(status).unwrap_or(2)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            eprintln!("blinksim run: the run stopped without a status");
            ExitCode::from(2)
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            let _ = std::io::stdout().flush();
            eprintln!(
                "blinksim run: stopped after --max-duration {}; the scenarios did not finish",
                blinksim::format_duration(args.max_duration)
            );
            // The run is mid-step on its thread: leave without waiting for it.
            std::process::exit(1)
        }
    }
}

fn gen_directory(args: GenDirectoryArgs) -> ExitCode {
    let spec = DirectorySpec {
        users: args.users,
        seed: args.seed,
        domain: args.domain,
        default_access_percent: args.default_access,
        group_assigned_percent: args.group_assigned,
        unassigned_percent: args.unassigned,
        disabled_percent: args.disabled,
        department_groups: true,
        reports_per_manager: args.reports_per_manager,
    };
    let dir = match generate(&spec) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("blinksim gen directory: {e}");
            return ExitStatus::Malformed.into();
        }
    };
    let text = match serde_json::to_string_pretty(&directory_section(&dir)) {
        Ok(text) => text + "\n",
        Err(e) => {
            eprintln!("blinksim gen directory: {e}");
            return ExitStatus::Malformed.into();
        }
    };
    let written = match &args.out {
        Some(path) => std::fs::write(path, text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    match written {
        Ok(()) => ExitStatus::Success.into(),
        Err(e) => {
            eprintln!("blinksim gen directory: {e}");
            ExitStatus::Malformed.into()
        }
    }
}

fn expr(args: ExprArgs) -> ExitCode {
    let source = match args.user.as_deref().map(read_user).transpose() {
        Ok(user) => user,
        Err(e) => {
            eprintln!("blinksim expr: --user: {e}");
            return ExitStatus::Failed.into();
        }
    };
    let now = match args.now.as_deref() {
        Some(text) => match blinksim::scim::parse_millis(text) {
            Some(ms) => ms,
            None => {
                eprintln!("blinksim expr: --now: '{text}' is not an RFC 3339 date-time");
                return ExitStatus::Failed.into();
            }
        },
        None => unix_millis(DEFAULT_START),
    };
    match try_expression(&args.expression, source, args.seed, now) {
        Ok(trial) => {
            if args.show_user {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&trial.source).unwrap_or_default()
                );
            }
            if args.json {
                println!("{}", trial.to_json());
            } else {
                println!("{}", trial.display());
            }
            ExitStatus::Success.into()
        }
        Err(TrialError::Expr { error, caret }) => {
            eprintln!("error: {error}");
            if let Some(caret) = caret {
                for line in caret.lines() {
                    eprintln!("  {line}");
                }
            }
            ExitStatus::Failed.into()
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitStatus::Failed.into()
        }
    }
}

/// A user given inline (`{...}`) or as a file.
fn read_user(arg: &str) -> Result<serde_json::Value, String> {
    let text = if arg.trim_start().starts_with('{') {
        arg.to_string()
    } else {
        std::fs::read_to_string(arg).map_err(|e| format!("{arg}: {e}"))?
    };
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

async fn load(args: LoadArgs) -> ExitCode {
    use blinksim::load::{LoadOptions, target};
    if let Err(refused) = target::guard(args.target.as_deref(), args.allow_remote) {
        eprintln!("blinksim load: {refused}");
        return ExitStatus::Malformed.into();
    }
    if args.raw {
        return load_raw(args).await;
    }
    let faults = match args.faults.as_deref().map(load_faults).transpose() {
        Ok(rules) => rules.unwrap_or_default(),
        Err(e) => {
            eprintln!("blinksim load: bad faults file {e}");
            return ExitStatus::Malformed.into();
        }
    };
    let options = LoadOptions {
        users: usize::try_from(args.users).unwrap_or(usize::MAX),
        seed: args.seed,
        incremental: args.incremental,
        churn: args.churn,
        concurrency: usize::try_from(args.concurrency).unwrap_or(1),
        target: target::choose(args.target, args.token, args.in_process),
        faults,
        max_duration: args.max_duration,
    };
    let progress: Option<&dyn Fn(String) -> blinksim::engine::Progress> =
        (!args.json && std::io::stderr().is_terminal()).then_some(&blinksim::progress::bar);
    match blinksim::load::run(&options, progress).await {
        Ok(report) => {
            print_report(args.json, &report, || report.render());
            if let Some(path) = &args.html
                && let Err(e) = std::fs::write(path, report.html())
            {
                eprintln!("blinksim load: writing {}: {e}", path.display());
                return ExitStatus::Failed.into();
            }
            report.exit_status().into()
        }
        Err(e) => {
            eprintln!("blinksim load: {e}");
            ExitStatus::Malformed.into()
        }
    }
}

/// `load --raw`: one request shape, repeated against the target.
async fn load_raw(args: LoadArgs) -> ExitCode {
    use blinksim::load::raw;
    let method = match args.method.to_uppercase().parse::<http::Method>() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("blinksim load: --method: {e}");
            return ExitStatus::Malformed.into();
        }
    };
    let options = raw::RawOptions {
        url: args.target,
        token: args.token,
        users: usize::try_from(args.users).unwrap_or(usize::MAX),
        seed: args.seed,
        method,
        path: args.path,
        user_name: args.user_name,
        body: args.body,
        connections: usize::try_from(args.concurrency).unwrap_or(1),
        duration: args.duration,
        max_requests: args.max_requests.unwrap_or(u64::MAX),
    };
    match raw::run(&options).await {
        Ok(report) => {
            print_report(args.json, &report, || report.render());
            report.exit_status().into()
        }
        Err(e) => {
            eprintln!("blinksim load --raw: {e}");
            ExitStatus::Malformed.into()
        }
    }
}

/// Prints a report as pretty JSON, or as its text.
fn print_report(json: bool, report: &impl serde::Serialize, text: impl FnOnce() -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
    } else {
        print!("{}", text());
    }
}
