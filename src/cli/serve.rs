//! `blinksim serve`'s flags, layered over `--config FILE` and the environment.

use super::parse_duration;
use blinksim::tenant::{ConfigFile, PatchResponse, Profile, TenantOptions, load_config};
use blinksim::tenant::{ServeConfig, load_faults, serve};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Settings file (TOML): TenantOptions' fields, `[[fault]]` rules, `[serve]`; flags and
    /// environment variables override it.
    #[arg(long, value_name = "FILE", env = "BLINKSIM_CONFIG")]
    config: Option<PathBuf>,
    /// Print the effective settings as TOML (a config file) and exit.
    #[arg(long)]
    print_config: bool,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, env = "BLINKSIM_ADDR")]
    addr: Option<SocketAddr>,
    /// Bearer token clients must send [default: blinksim-secret-token, or $BLINKSIM_TOKEN,
    /// which is then not printed].
    #[arg(long)]
    token: Option<String>,
    /// Prefill this many realistic users [default: 0].
    #[arg(long)]
    users: Option<usize>,
    /// Seed for the prefill and ids (same seed, same users) [default: 1].
    #[arg(long, env = "BLINKSIM_SEED")]
    seed: Option<u64>,
    /// Largest request body in bytes; larger gets 413 [default: 1048576].
    #[arg(long)]
    max_body: Option<usize>,
    /// Page size of a list request without `count` [default: 100].
    #[arg(long)]
    page_size: Option<usize>,
    /// Largest page served [default: 1000].
    #[arg(long)]
    max_page_size: Option<usize>,
    /// Refuse a second user with the same work email with 409 [default: true].
    #[arg(long, value_name = "BOOL")]
    unique_work_email: Option<bool>,
    /// Attributes outside the Blink schema [default: reject-paths].
    #[arg(long, value_enum)]
    unknown_attributes: Option<UnknownAttributesArg>,
    /// PATCH value filters that match nothing [default: create].
    #[arg(long, value_enum)]
    filter_no_match: Option<FilterNoMatchArg>,
    /// PATCH success answer: 200 with the resource, or 204 [default: resource].
    #[arg(long, value_enum)]
    patch_response: Option<PatchResponseArg>,
    /// Header kept out of the journal (repeatable; replaces the default list).
    #[arg(long, value_name = "NAME")]
    redact_header: Vec<String>,
    /// Query parameter kept out of the journal (repeatable; replaces the default list).
    #[arg(long, value_name = "NAME")]
    redact_param: Vec<String>,
    /// Fault rules to install at start (TOML, `[[fault]]` tables), after the config's.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// Append every request to this file as JSON lines (an existing file is kept, never
    /// overwritten; a write error is logged and shown in /_admin/health).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Keep the users in this file: loaded at start when it exists, saved on stop, on
    /// `POST /_admin/save` and with --save-every.
    #[arg(long, value_name = "FILE", env = "BLINKSIM_STATE")]
    state: Option<PathBuf>,
    /// With --state: also save this often (e.g. 30s).
    #[arg(long, value_parser = parse_duration, requires = "state")]
    save_every: Option<Duration>,
    /// Requests kept in the in-memory journal (readable at /_admin/requests); `--journal`
    /// still writes every request.
    #[arg(long)]
    journal_size: Option<usize>,
    /// Bytes the in-memory journal may hold in total; the oldest entries go first.
    #[arg(long)]
    journal_bytes: Option<usize>,
    /// Bodies longer than this are kept truncated in the journal (and marked so).
    #[arg(long)]
    journal_body_bytes: Option<usize>,
    /// Time a client has for a request's headers (e.g. 30s) [default: 30s].
    #[arg(long, value_parser = parse_duration)]
    header_timeout: Option<Duration>,
    /// Time a client has for a request's body once its headers arrived; then 408 [default: 30s].
    #[arg(long, value_parser = parse_duration)]
    body_timeout: Option<Duration>,
    /// A connection idle this long (no request in flight, no bytes moving) is closed [default: 60s].
    #[arg(long, value_parser = parse_duration)]
    idle_timeout: Option<Duration>,
    /// Connections served at once; more get 503 at once [default: 4096].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: Option<u64>,
    /// Bearer token of the admin API under /_admin [default: blinksim-admin-token, or
    /// $BLINKSIM_ADMIN_TOKEN, which is then not printed].
    #[arg(long)]
    admin_token: Option<String>,
    /// Serve /Groups (off by default: a Blink tenant without group sync answers 404).
    #[arg(long)]
    groups: bool,
    /// Prefill this many realistic groups, members drawn from the prefilled users
    /// (needs --groups, or --profile generic).
    #[arg(long)]
    group_prefill: Option<usize>,
    /// Which server to be: `blink` (Blink's API) or `generic` (the full RFC 7643 User and
    /// enterprise extension, groups, no work-email uniqueness, 204 to PATCH) [default: blink].
    #[arg(long)]
    profile: Option<Profile>,
    /// Group PATCH success answer [default: no-content].
    #[arg(long, value_enum)]
    group_patch_response: Option<PatchResponseArg>,
}

/// `--unknown-attributes`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum UnknownAttributesArg {
    Ignore,
    RejectPaths,
    Reject,
}

/// `--filter-no-match`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FilterNoMatchArg {
    Create,
    NoTarget,
}

/// `--patch-response`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum PatchResponseArg {
    Resource,
    NoContent,
}

impl From<PatchResponseArg> for PatchResponse {
    fn from(arg: PatchResponseArg) -> Self {
        match arg {
            PatchResponseArg::Resource => PatchResponse::Resource,
            PatchResponseArg::NoContent => PatchResponse::NoContent,
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Sets `slot` when the flag was given.
fn set<T>(slot: &mut T, flag: Option<T>) {
    if let Some(value) = flag {
        *slot = value;
    }
}

/// The flags over the config file's tenant settings.
fn apply_flags(args: &ServeArgs, o: &mut TenantOptions) {
    use blinksim::scim::FilterNoMatch;
    use blinksim::scim::UnknownAttributes;
    set(&mut o.seed, args.seed);
    set(&mut o.max_body_bytes, args.max_body);
    set(&mut o.default_page_size, args.page_size);
    set(&mut o.max_page_size, args.max_page_size);
    set(&mut o.unique_work_email, args.unique_work_email);
    set(
        &mut o.unknown_attributes,
        args.unknown_attributes.map(|a| match a {
            UnknownAttributesArg::Ignore => UnknownAttributes::Ignore,
            UnknownAttributesArg::RejectPaths => UnknownAttributes::RejectPaths,
            UnknownAttributesArg::Reject => UnknownAttributes::Reject,
        }),
    );
    set(
        &mut o.filter_no_match,
        args.filter_no_match.map(|a| match a {
            FilterNoMatchArg::Create => FilterNoMatch::Create,
            FilterNoMatchArg::NoTarget => FilterNoMatch::NoTarget,
        }),
    );
    set(
        &mut o.patch_response,
        args.patch_response.map(PatchResponse::from),
    );
    if !args.redact_header.is_empty() {
        o.redaction.headers = args.redact_header.clone();
    }
    if !args.redact_param.is_empty() {
        o.redaction.query_params = args.redact_param.clone();
    }
    if args.groups {
        o.groups = true;
    }
    set(
        &mut o.group_patch_response,
        args.group_patch_response.map(PatchResponse::from),
    );
    set(&mut o.journal_capacity, args.journal_size);
    set(&mut o.journal_bytes, args.journal_bytes);
    set(&mut o.journal_body_bytes, args.journal_body_bytes);
    let limits = &mut o.server;
    set(
        &mut limits.header_read_timeout_ms,
        args.header_timeout.map(millis),
    );
    set(
        &mut limits.body_read_timeout_ms,
        args.body_timeout.map(millis),
    );
    set(&mut limits.idle_timeout_ms, args.idle_timeout.map(millis));
    set(
        &mut limits.max_connections,
        args.max_connections
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    );
}

/// A token from its flag, else from the environment (then not printed), else the config
/// file's or the default.
fn token_over(flag: Option<String>, variable: &str, configured: &str) -> (String, bool) {
    match (flag, std::env::var(variable)) {
        (Some(token), _) => (token, true),
        (None, Ok(token)) if !token.is_empty() => (token, false),
        _ => (configured.to_string(), true),
    }
}

/// The config file (or the defaults) with the flags and environment over it.
fn effective_config(args: &ServeArgs) -> Result<(ConfigFile, bool, bool), String> {
    let mut file = match &args.config {
        Some(path) => load_config(path).map_err(|e| format!("bad config file {e}"))?,
        None => ConfigFile::default(),
    };
    if let Some(path) = &args.faults {
        let rules = load_faults(path).map_err(|e| format!("bad faults file {e}"))?;
        file.fault.extend(rules);
    }
    if let Some(profile) = args.profile {
        file.apply_profile(profile)
            .map_err(|e| format!("--profile: {e}"))?;
    }
    apply_flags(args, &mut file.options);
    let (token, show_token) = token_over(args.token.clone(), "BLINKSIM_TOKEN", &file.options.token);
    let (admin, show_admin) = token_over(
        args.admin_token.clone(),
        "BLINKSIM_ADMIN_TOKEN",
        &file.options.admin_token,
    );
    file.options.token = token;
    file.options.admin_token = admin;
    let serve = &mut file.serve;
    set(&mut serve.addr, args.addr.map(Some));
    set(&mut serve.users, args.users.map(Some));
    set(&mut serve.group_prefill, args.group_prefill.map(Some));
    if serve.group_prefill.unwrap_or(0) > 0 && !file.options.groups {
        return Err(
            "group_prefill (--group-prefill) needs groups (--groups or --profile generic)".into(),
        );
    }
    set(&mut serve.journal, args.journal.clone().map(Some));
    set(&mut serve.state, args.state.clone().map(Some));
    set(
        &mut serve.save_every,
        args.save_every.map(|d| Some(blinksim::HumanDuration(d))),
    );
    Ok((file, show_token, show_admin))
}

pub(crate) fn serve_command(args: ServeArgs, runtime: &tokio::runtime::Runtime) -> ExitCode {
    let (file, show_token, show_admin_token) = match effective_config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("blinksim serve: {e}");
            return ExitCode::from(2);
        }
    };
    if args.print_config {
        return print_config(&file, show_token, show_admin_token);
    }
    let config = ServeConfig {
        addr: file
            .serve
            .addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        seed: file.options.seed,
        options: file.options,
        users: file.serve.users.unwrap_or(0),
        group_prefill: file.serve.group_prefill.unwrap_or(0),
        faults: file.fault,
        journal: file.serve.journal,
        state: file.serve.state,
        save_every: file.serve.save_every.map(|d| d.0),
        show_token,
        show_admin_token,
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(serve(config, &mut stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blinksim serve: {e}");
            ExitCode::from(2)
        }
    }
}

/// `serve --print-config`: tokens from the environment are left out, as they are not printed.
fn print_config(file: &ConfigFile, show_token: bool, show_admin_token: bool) -> ExitCode {
    let hidden = [
        (!show_token).then_some(("token", "BLINKSIM_TOKEN")),
        (!show_admin_token).then_some(("admin_token", "BLINKSIM_ADMIN_TOKEN")),
    ];
    match file.to_toml_without(hidden.iter().flatten().map(|(key, _)| *key)) {
        Ok(text) => {
            for (key, variable) in hidden.iter().flatten() {
                println!("# {key}: from ${variable}, not shown");
            }
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blinksim serve --print-config: {e}");
            ExitCode::from(2)
        }
    }
}
