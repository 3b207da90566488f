//! Output folders the program owns, and the rules that keep the user's files safe.
//!
//! Every folder socsim writes holds a marker file, [`MARKER`], that only socsim writes: it
//! names the kind of folder (run, sweep, merge, compare) and the files socsim put there.
//! [`Claim`] takes an output location before any work starts:
//!
//! - the path is resolved (`.`, `..`, symbolic links) and must not be the current folder or
//!   one holding it; every name in it must fit the file system (255 bytes);
//! - a lock file beside the folder, `.<name>.socsim-lock`, is locked, so a second writer of
//!   the same folder stops at once;
//! - an existing folder is accepted only when it is empty or is socsim's own folder of the
//!   same kind; a result folder (run, merge, compare) is replaced only when it holds nothing
//!   but its own files;
//! - a result folder is assembled in a hidden sibling, `.<name>.socsim-partial`, created before
//!   the work starts (so an unwritable place fails first) and renamed into place at the end;
//!   replacing an earlier result removes only the files its marker lists.
//!
//! Every file is written through [`write_atomic`]: a temporary name in the same folder, an
//! fsync, and a rename.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The marker file socsim writes into every folder it owns.
pub const MARKER: &str = ".socsim-output";

/// The longest file or folder name most file systems accept, in bytes.
const NAME_MAX: usize = 255;
/// What the staging and lock names add to a folder's name: `.` and `.socsim-partial`.
const STAGING_EXTRA: usize = 16;

/// The kinds of folder socsim writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `socsim run`: daily.csv, creators.csv, summary.json, manifest.json.
    Run,
    /// `socsim sweep` (a whole sweep or one shard): written in place and resumed.
    Sweep,
    /// `socsim merge`: runs.csv, runs_manifest.csv, manifest.json (daily_long.csv).
    Merge,
    /// `socsim compare`: compare.csv, manifest.json.
    Compare,
    /// `socsim graph`: the social and follow graphs of one day.
    Graph,
    /// `socsim calibrate`: written in place, a generation at a time, and resumed.
    Calibration,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Run => "a run",
            Kind::Sweep => "a sweep",
            Kind::Merge => "a merged sweep",
            Kind::Compare => "a comparison",
            Kind::Graph => "a graph export",
            Kind::Calibration => "a calibration",
        }
    }
}

/// The content of [`MARKER`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Marker {
    pub tool: String,
    pub kind: Kind,
    /// The files socsim wrote here (result folders); a sweep lists its fixed files.
    pub files: Vec<String>,
    /// The sweep a sweep folder belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep_id: Option<String>,
}

impl Marker {
    fn new(kind: Kind, files: &[&str], sweep_id: Option<&str>) -> Marker {
        Marker {
            tool: "socsim".into(),
            kind,
            files: files.iter().map(|f| f.to_string()).collect(),
            sweep_id: sweep_id.map(String::from),
        }
    }

    /// The marker of `dir`, if it has one socsim wrote.
    pub fn read(dir: &Path) -> Option<Marker> {
        let text = fs::read_to_string(dir.join(MARKER)).ok()?;
        serde_json::from_str::<Marker>(&text)
            .ok()
            .filter(|m| m.tool == "socsim")
    }

    fn write(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("a marker serializes");
        text.push('\n');
        write_atomic(&dir.join(MARKER), text.as_bytes())
    }
}

/// Adds `file` to the files the marker of socsim's folder `dir` lists (for a file socsim adds
/// to a finished folder, such as `socsim report`'s `report.html`).
pub fn list_in_marker(dir: &Path, file: &str) -> Result<()> {
    let Some(mut marker) = Marker::read(dir) else {
        return Err(Error::Run(format!(
            "{}: the .socsim-output marker is gone",
            dir.display()
        )));
    };
    if !marker.files.iter().any(|f| f == file) {
        marker.files.push(file.to_string());
        marker.write(dir)?;
    }
    Ok(())
}

/// Bad output location: exit code 2, before any work.
fn refuse(dir: &Path, message: impl std::fmt::Display) -> Error {
    Error::input(format!("--out {}", dir.display()), message)
}

/// The absolute, resolved form of `path`: its longest existing prefix through
/// `canonicalize` (symbolic links, `.` and `..`), the rest appended as written, which must
/// then hold no `..`.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    if path.as_os_str().is_empty() {
        return Err(refuse(path, "is empty; name a folder"));
    }
    let cwd = std::env::current_dir()
        .map_err(|e| refuse(path, format!("cannot read the current folder: {e}")))?;
    let absolute = cwd.join(path);
    let parts: Vec<Component> = absolute.components().collect();
    let (mut resolved, rest) = (1..=parts.len())
        .rev()
        .find_map(|k| {
            let prefix: PathBuf = parts[..k].iter().collect();
            prefix.canonicalize().ok().map(|c| (c, &parts[k..]))
        })
        .ok_or_else(|| refuse(path, "no part of this path exists"))?;
    for part in rest {
        match part {
            Component::Normal(name) => resolved.push(name),
            // After a folder that does not exist, `..` cannot be resolved.
            _ => {
                return Err(refuse(
                    path,
                    "has `..` after a folder that does not exist; write the path without it",
                ));
            }
        }
    }
    for c in resolved.components() {
        if let Component::Normal(name) = c
            && name.len() > NAME_MAX
        {
            return Err(refuse(
                path,
                format!(
                    "the name {:?}… is {} bytes long; file systems accept at most {NAME_MAX}",
                    name.to_string_lossy().chars().take(24).collect::<String>(),
                    name.len()
                ),
            ));
        }
    }
    Ok(resolved)
}

/// Checks that `dir` (resolved) can be an output folder of `kind` at all: it has a name
/// short enough for the staging folder, and it neither is nor holds the current folder.
fn check_place(shown: &Path, dir: &Path) -> Result<(PathBuf, String)> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Err(refuse(
            shown,
            "is the root of the file system; name a folder",
        ));
    };
    let name = name.to_string_lossy().into_owned();
    if name.len() + STAGING_EXTRA > NAME_MAX {
        return Err(refuse(
            shown,
            format!(
                "the folder name is {} bytes long; socsim accepts at most {} (it writes beside it under a longer name)",
                name.len(),
                NAME_MAX - STAGING_EXTRA
            ),
        ));
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize())
        && cwd.starts_with(dir)
    {
        return Err(refuse(
            shown,
            "is the current folder, or holds it; results replace their folder as a whole, so run from elsewhere or choose another --out",
        ));
    }
    Ok((parent.to_path_buf(), name))
}

/// A lock on an output location: `.<name>.socsim-lock` beside it, locked for as long as
/// this value lives and removed when it is dropped.
struct Lock {
    path: PathBuf,
    file: File,
}

impl Lock {
    fn take(shown: &Path, parent: &Path, name: &str) -> Result<Lock> {
        Lock::take_within(shown, parent, name, std::time::Duration::ZERO)
    }

    /// [`Lock::take`], trying again every 100 ms for up to `patience` while another process
    /// holds the lock.
    fn take_within(
        shown: &Path,
        parent: &Path,
        name: &str,
        patience: std::time::Duration,
    ) -> Result<Lock> {
        let path = parent.join(format!(".{name}.socsim-lock"));
        let deadline = std::time::Instant::now() + patience;
        loop {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| refuse(shown, format!("cannot write in {}: {e}", parent.display())))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    continue;
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(refuse(
                        shown,
                        "another socsim process is writing this folder; wait for it to finish or choose another --out",
                    ));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(refuse(
                        shown,
                        format!("cannot lock {}: {e}", path.display()),
                    ));
                }
            }
            // The holder before us may have removed the file after we opened it: then our
            // lock is on a file nobody else will see, so take the lock again on the new one.
            if same_file(&file, &path) {
                return Ok(Lock { path, file });
            }
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so a process waiting on the old file sees it is stale.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// What is in an existing folder, judged against `kind`.
enum Found {
    Absent,
    Empty,
    /// socsim's own folder of this kind, holding nothing but the files its marker lists.
    Own(Marker),
}

fn inspect(shown: &Path, dir: &Path, kind: Kind, result_folder: bool) -> Result<Found> {
    let meta = match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Absent),
        Err(e) => return Err(refuse(shown, format!("cannot read it: {e}"))),
        Ok(m) => m,
    };
    if !meta.is_dir() {
        return Err(refuse(shown, "is a file, not a folder; choose a folder"));
    }
    let entries: Vec<String> = fs::read_dir(dir)
        .map_err(|e| refuse(shown, format!("cannot read it: {e}")))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if entries.is_empty() {
        return Ok(Found::Empty);
    }
    let Some(marker) = Marker::read(dir) else {
        return Err(refuse(
            shown,
            "the folder is not empty and was not written by socsim; choose a new or empty folder",
        ));
    };
    if marker.kind != kind {
        return Err(refuse(
            shown,
            format!(
                "holds {} written by socsim, not {}; choose another folder",
                marker.kind.noun(),
                kind.noun()
            ),
        ));
    }
    if result_folder {
        let mut foreign: Vec<&String> = entries
            .iter()
            .filter(|e| *e != MARKER && !marker.files.contains(e))
            .collect();
        foreign.sort();
        if let Some(first) = foreign.first() {
            return Err(refuse(
                shown,
                format!(
                    "holds files socsim did not write ({first}{}); socsim replaces a result folder only when it holds nothing else: move them or choose another folder",
                    if foreign.len() > 1 {
                        format!(" and {} more", foreign.len() - 1)
                    } else {
                        String::new()
                    }
                ),
            ));
        }
    }
    Ok(Found::Own(marker))
}

/// Removes what socsim wrote in `dir` (the files `marker` lists, temporary files of
/// [`write_atomic`] and the marker), then the folder if it is empty. Returns whether the
/// folder is gone.
fn remove_own(dir: &Path, files: &[String]) -> bool {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = files.contains(&name) || name == MARKER || is_temporary(&name);
            if ours && e.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    fs::remove_dir(dir).is_ok()
}

/// A result folder taken before the work starts: locked, checked, and with its staging
/// folder created. Write the files into [`Claim::staging`], then call [`Claim::commit`].
/// Dropped without a commit, it removes the staging folder and the lock.
pub struct Claim {
    shown: PathBuf,
    target: PathBuf,
    staging: PathBuf,
    files: Vec<String>,
    replaces: Option<Marker>,
    committed: bool,
    _lock: Lock,
}

impl Claim {
    /// Claims `dir` for a result of `kind` made of `files`. Refuses (exit code 2) a folder
    /// that is not empty and not an earlier result of the same kind holding only its own
    /// files, a folder another process is writing, and a place that cannot be written.
    pub fn new(dir: &Path, kind: Kind, files: &[&str]) -> Result<Claim> {
        let target = resolve(dir)?;
        let (parent, name) = check_place(dir, &target)?;
        fs::create_dir_all(&parent)
            .map_err(|e| refuse(dir, format!("cannot create {}: {e}", parent.display())))?;
        let lock = Lock::take(dir, &parent, &name)?;
        let replaces = match inspect(dir, &target, kind, true)? {
            Found::Own(m) => Some(m),
            Found::Absent | Found::Empty => None,
        };
        let staging = parent.join(format!(".{name}.socsim-partial"));
        let own: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        // A staging folder left by a killed process: ours, as we hold the lock.
        if staging.exists() && !remove_own(&staging, &own) {
            return Err(refuse(
                dir,
                format!(
                    "{} is left from an interrupted run and holds files socsim did not write; remove it",
                    staging.display()
                ),
            ));
        }
        let old = parent.join(format!(".{name}.socsim-old"));
        if old.exists() {
            let _ = remove_own(&old, &own);
        }
        fs::create_dir(&staging).map_err(|e| {
            refuse(
                dir,
                format!("cannot create a folder in {}: {e}", parent.display()),
            )
        })?;
        let claim = Claim {
            shown: dir.to_path_buf(),
            target,
            staging,
            files: own,
            replaces,
            committed: false,
            _lock: lock,
        };
        Marker::new(kind, files, None)
            .write(&claim.staging)
            .map_err(|e| refuse(dir, e))?;
        if claim.replaces.is_some() {
            // The old result's files will be removed: check now that they can be.
            let probe = claim
                .target
                .join(format!(".socsim-probe-{}", std::process::id()));
            File::create(&probe)
                .and_then(|_| fs::remove_file(&probe))
                .map_err(|e| {
                    refuse(dir, format!("cannot replace the earlier result in it: {e}"))
                })?;
        }
        Ok(claim)
    }

    /// The hidden folder to write the result's files into.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The folder the result will have.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished result into place, replacing the earlier result of the same kind
    /// (only its own files are removed).
    pub fn commit(mut self) -> Result<()> {
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |e: std::io::Error| Error::io(&p, e)
        };
        sync_dir(&self.staging);
        let parent = self.target.parent().expect("checked").to_path_buf();
        if let Some(old_marker) = &self.replaces {
            let name = self.target.file_name().expect("checked").to_string_lossy();
            let old = parent.join(format!(".{name}.socsim-old"));
            fs::rename(&self.target, &old).map_err(io(&self.target))?;
            fs::rename(&self.staging, &self.target).map_err(io(&self.target))?;
            if !remove_own(&old, &old_marker.files) {
                eprintln!(
                    "warning: {} kept: files appeared in the earlier result while this one ran",
                    old.display()
                );
            }
        } else {
            // An empty folder is replaced by the rename itself.
            fs::rename(&self.staging, &self.target).map_err(io(&self.shown))?;
        }
        sync_dir(&parent);
        self.committed = true;
        Ok(())
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.committed {
            remove_own(&self.staging, &self.files);
        }
    }
}

/// A folder written in place and resumed (a sweep or one shard of it), taken before the
/// work starts: locked, and checked to be empty, new, or this sweep's own folder.
pub struct InPlace {
    pub dir: PathBuf,
    /// The folder already held this sweep's results (a resume).
    pub resumed: bool,
    _lock: Lock,
}

impl InPlace {
    /// Claims `dir` for the sweep `sweep_id`. A folder written by another sweep, or not by
    /// socsim, is refused (exit code 2). `legacy` recognises a folder written before markers
    /// existed (it returns the sweep id it finds there).
    pub fn new(
        dir: &Path,
        sweep_id: &str,
        files: &[&str],
        legacy: impl Fn(&Path) -> Option<String>,
    ) -> Result<InPlace> {
        InPlace::claim(
            dir,
            Kind::Sweep,
            sweep_id,
            files,
            legacy,
            std::time::Duration::ZERO,
        )
    }

    /// [`InPlace::new`] for a folder of `kind` (a sweep or a calibration) whose results
    /// belong to `id`, waiting up to `patience` for another process's lock on it.
    pub fn claim(
        dir: &Path,
        kind: Kind,
        id: &str,
        files: &[&str],
        legacy: impl Fn(&Path) -> Option<String>,
        patience: std::time::Duration,
    ) -> Result<InPlace> {
        let target = resolve(dir)?;
        let (parent, name) = check_place(dir, &target)?;
        fs::create_dir_all(&parent)
            .map_err(|e| refuse(dir, format!("cannot create {}: {e}", parent.display())))?;
        let lock = Lock::take_within(dir, &parent, &name, patience)?;
        let found = if Marker::read(&target).is_none() && legacy(&target).as_deref() == Some(id) {
            Found::Own(Marker::new(kind, files, Some(id)))
        } else {
            inspect(dir, &target, kind, false)?
        };
        let resumed = match found {
            Found::Own(m) if m.sweep_id.as_deref() == Some(id) => true,
            Found::Own(_) => {
                return Err(refuse(
                    dir,
                    format!(
                        "holds results of a different {} (another file, base scenario or version); choose another --out",
                        if kind == Kind::Calibration {
                            "calibration"
                        } else {
                            "sweep"
                        }
                    ),
                ));
            }
            Found::Absent | Found::Empty => false,
        };
        fs::create_dir_all(&target).map_err(|e| refuse(dir, format!("cannot create it: {e}")))?;
        Marker::new(kind, files, Some(id))
            .write(&target)
            .map_err(|e| refuse(dir, e))?;
        Ok(InPlace {
            dir: target,
            resumed,
            _lock: lock,
        })
    }
}

/// The temporary names of [`write_atomic`]: `.<name>.tmp-<pid>`.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Writes `bytes` to `path` through a temporary file in the same folder, flushed to disk,
/// then renamed into place: readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Flushes a folder's entries (new names, renames) to disk, where the platform allows it.
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}
