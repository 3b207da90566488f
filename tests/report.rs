//! report.html in a real browser: a run, a sweep and a comparison are made with the `socsim`
//! binary, each folder's report is rendered by headless Chromium, and the test fails on any
//! console message (the pages have no script, so any is an error), on a chart with nothing
//! drawn, or on a blank screenshot.
//! Screenshots land in `target/report-screenshots/`; with `UPDATE_SCREENSHOTS=1` the run's
//! is also copied to `docs/img/report-run.png` (the README shows it).
//!
//! Chromium is Debian's `chromium` (or the program named by `SOCSIM_CHROMIUM`); `scripts/test`
//! installs it where it is missing. Without it this test fails and says so.

mod common;

use common::{socsim, stderr, temp_dir, write};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> String {
    let program = std::env::var("SOCSIM_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Command::new(&program).arg("--version").output();
    assert!(
        found.as_ref().is_ok_and(|o| o.status.success()),
        "headless Chromium not found as `{program}`: install Debian's chromium \
         (scripts/test does this) or name it with SOCSIM_CHROMIUM"
    );
    program
}

/// What the browser made of a page: the DOM after rendering, its console lines, and the
/// screenshot's size in bytes.
struct Rendered {
    dom: String,
    console: Vec<String>,
    screenshot_bytes: u64,
}

fn render(page: &Path, screenshot: &Path, profile: &Path) -> Rendered {
    let program = chromium();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let common_flags = |c: &mut Command| {
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--log-level=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    };
    let mut dump = Command::new(&program);
    common_flags(&mut dump);
    let out = dump.arg("--dump-dom").arg(&url).output().unwrap();
    assert!(
        out.status.success(),
        "chromium --dump-dom: {}",
        stderr(&out)
    );
    let mut shot = Command::new(&program);
    common_flags(&mut shot);
    let shot_out = shot
        .arg("--window-size=1400,2000")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot_out.status.success(),
        "chromium --screenshot: {}",
        stderr(&shot_out)
    );
    let console = [stderr(&out), stderr(&shot_out)]
        .iter()
        .flat_map(|e| e.lines().map(String::from).collect::<Vec<_>>())
        .filter(|l| l.contains(":CONSOLE"))
        .collect();
    Rendered {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
        screenshot_bytes: std::fs::metadata(screenshot).map(|m| m.len()).unwrap_or(0),
    }
}

/// The problems of a rendered report: console errors, figures without a drawn series, a
/// chart that says it has nothing to draw, a blank screenshot.
fn problems(r: &Rendered) -> Vec<String> {
    // Chromium logs every console message at one level; a report has no script, so any
    // console message at all is a problem.
    let mut found: Vec<String> = r.console.clone();
    let figures: Vec<&str> = r.dom.split("<figure>").skip(1).collect();
    if figures.is_empty() {
        found.push("no figure".into());
    }
    for (k, f) in figures.iter().enumerate() {
        let body = f.split("</figure>").next().unwrap_or("");
        let drawn =
            body.contains("<svg") && (body.contains("<polyline") || body.contains("<circle"));
        if !drawn {
            let caption = body.split("<figcaption>").nth(1).unwrap_or("?");
            found.push(format!(
                "figure {k} draws nothing: {}",
                &caption[..caption.len().min(80)]
            ));
        }
    }
    if r.screenshot_bytes < 20_000 {
        found.push(format!(
            "screenshot of {} bytes looks blank",
            r.screenshot_bytes
        ));
    }
    found
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ok(args: &[&str]) {
    let o = socsim(args);
    assert!(o.status.success(), "socsim {args:?}: {}", stderr(&o));
}

/// The checker itself: a page that logs an error and has an empty chart is caught.
#[test]
fn the_browser_check_catches_console_errors_and_empty_charts() {
    let dir = temp_dir("report-bad");
    let page = write(
        &dir,
        "bad.html",
        "<!DOCTYPE html><html><body><figure><svg width=\"10\" height=\"10\"></svg>\
         <figcaption>empty</figcaption></figure>\
         <script>console.error('broken chart');</script></body></html>",
    );
    let r = render(Path::new(&page), &dir.join("bad.png"), &dir.join("profile"));
    let p = problems(&r);
    assert!(p.iter().any(|m| m.contains("broken chart")), "{p:?}");
    assert!(p.iter().any(|m| m.contains("draws nothing")), "{p:?}");
}

/// Every kind of folder gets a report that renders with every chart drawn and no error.
#[test]
fn run_sweep_and_compare_reports_render_in_chromium() {
    let dir = temp_dir("report");
    let d = |name: &str| dir.join(name).to_string_lossy().into_owned();
    // A run with group chats on (a policy panel), at the campus scenario's own size.
    ok(&["run", "campus_takeaway", "-q", "--out", &d("run")]);
    // A small sweep over two keys, three replicates, 40 days (so 30-day retention exists).
    let sweep = write(
        &dir,
        "sweep.toml",
        "name = \"report_test\"\nbase = \"baseline\"\nreplicates = 3\n[set]\nrun.days = 40\n\
         population.consumers = 2000\npopulation.creators = 100\npopulation.hosts = 5\n\
         population.merchants = 100\ncoupons.threshold = 20.0\n[vary]\n\
         returns.window_days = [3, 14]\ncoupons.value = [0.0, 5.0]\n",
    );
    ok(&["sweep", &sweep, "-q", "--out", &d("sweep")]);
    ok(&[
        "compare",
        "baseline",
        "-q",
        "--set",
        "run.days=40",
        "--set",
        "population.consumers=2000",
        "--set",
        "population.creators=100",
        "--set",
        "population.merchants=100",
        "--set",
        "coupons.threshold=20",
        "--variant",
        "coupons:coupons.value=5",
        "--variant",
        "window:returns.window_days=3",
        "--replicates",
        "4",
        "--out",
        &d("compare"),
    ]);
    // `socsim report` rewrites the run's page byte for byte.
    let run_page = dir.join("run/report.html");
    let written = std::fs::read(&run_page).unwrap();
    std::fs::remove_file(&run_page).unwrap();
    ok(&["report", &d("run")]);
    assert_eq!(std::fs::read(&run_page).unwrap(), written);

    let shots = screenshots();
    for kind in ["run", "sweep", "compare"] {
        let page = dir.join(kind).join("report.html");
        let shot = shots.join(format!("{kind}.png"));
        let r = render(&page, &shot, &dir.join(format!("profile-{kind}")));
        let p = problems(&r);
        assert!(p.is_empty(), "{kind} report: {p:?}");
        // No script and nothing fetched: the page stands alone.
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(!html.contains("<script"), "{kind}: a script");
        for fetch in ["src=", "<link", "@import", "url("] {
            assert!(!html.contains(fetch), "{kind}: {fetch} fetches something");
        }
    }
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        let img = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img");
        std::fs::create_dir_all(&img).unwrap();
        for kind in ["run", "sweep", "compare"] {
            std::fs::copy(
                shots.join(format!("{kind}.png")),
                img.join(format!("report-{kind}.png")),
            )
            .unwrap();
        }
    }
}

/// `socsim report` refuses a folder socsim did not write, and a report.html it did not write.
#[test]
fn report_refuses_folders_and_files_it_does_not_own() {
    let dir = temp_dir("report-refuse");
    let o = socsim(&["report", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a folder socsim wrote"),
        "{}",
        stderr(&o)
    );
    let run = dir.join("run");
    ok(&[
        "run",
        "campus_takeaway",
        "-q",
        "--days",
        "5",
        "--out",
        run.to_str().unwrap(),
    ]);
    // A report.html that is not in the marker (say the user's own) is never replaced.
    let marker = run.join(".socsim-output");
    let text = std::fs::read_to_string(&marker).unwrap();
    std::fs::write(&marker, text.replace("\"report.html\",", "")).unwrap();
    std::fs::write(run.join("report.html"), "mine").unwrap();
    let o = socsim(&["report", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("socsim did not write it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(run.join("report.html")).unwrap(),
        "mine"
    );
}
