//! What the C build cache trusts: a library is loaded only if this build made
//! it, from a folder and files no other user can write, and every input that
//! can change it (archives, system headers, environment, the compiler) is
//! part of its key or checked before it is reused.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rctypes::cbuild::Compiled;
use rctypes::{CBuild, Library};

/// C that defines `int probe(int)` as `x + 666` and, when loaded, writes the
/// file named by the macro `MARKER`: what an intruder would plant.
const PLANTED: &str = "#include <stdio.h>\n\
    __attribute__((constructor)) static void planted(void) {\n\
        FILE *f = fopen(MARKER, \"w\");\n\
        if (f) { fputs(\"ran\", f); fclose(f); }\n\
    }\n\
    int probe(int x) { return x + 666; }\n";

/// The genuine `int probe(int)`.
const GENUINE: &str = "int probe(int x) { return x + 1; }\n";

fn compile(build: &CBuild) -> Compiled {
    build.compile().unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `compiled` and calls its `int name(int)`.
fn call(compiled: Compiled, name: &str, arg: i32) -> i32 {
    // SAFETY: the C loaded through here is ours, without initialisers.
    let lib = unsafe { compiled.load() }.unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: every function called through here is `int name(int)`.
    let f = unsafe { lib.typed::<(i32,), i32>(name) }.unwrap_or_else(|e| panic!("{e}"));
    f.call((arg,))
}

/// The planted library, built in its own cache folder `folder`, whose
/// constructor writes `marker`.
fn planted(marker: &Path, folder: &Path) -> Compiled {
    compile(
        CBuild::new()
            .source_str("planted.c", PLANTED)
            .define(
                "MARKER",
                format!("{:?}", marker.display().to_string()).as_str(),
            )
            .cache_dir(folder),
    )
}

/// Copies the files of `from` into the new folder `to`, as a later run would
/// find them.
fn copy_files(from: &Path, to: &Path) {
    private_dir(to);
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A new folder only this user can write, whatever the umask.
fn private_dir(path: &Path) {
    fs::create_dir(path).unwrap();
    chmod(path, 0o700);
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Puts the library at `from` in the cache folder `folder` under `key`, as
/// this user would write it (so only the content can give it away).
fn plant(from: &Path, folder: &Path, key: &str) {
    let to = library_file(folder, key);
    fs::copy(from, &to).unwrap();
    chmod(&to, 0o600);
}

fn library_file(folder: &Path, key: &str) -> PathBuf {
    folder.join(format!("{key}{}", std::env::consts::DLL_SUFFIX))
}

fn manifest_file(folder: &Path, key: &str) -> PathBuf {
    folder.join(format!("{key}.manifest"))
}

#[test]
fn a_library_planted_under_the_key_is_rebuilt_not_run() {
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("planted-ran");
    let cache = work.path().join("cache");
    let mut build = CBuild::new();
    build.source_str("probe.c", GENUINE).cache_dir(&cache);
    let key = compile(&build).key().to_owned();
    let intruder = planted(&marker, &work.path().join("intruder"));

    // A later run finds the intruder's library under the genuine key, beside
    // the genuine manifest.
    let later = work.path().join("later");
    copy_files(&cache, &later);
    plant(intruder.path(), &later, &key);
    let rebuilt = compile(build.cache_dir(&later));
    assert!(
        !rebuilt.from_cache(),
        "a swapped library was taken as cached"
    );
    assert_eq!(
        fs::read(library_file(&later, &key)).unwrap(),
        fs::read(rebuilt.path()).unwrap(),
        "the cache holds the rebuilt library again"
    );
    assert_eq!(call(rebuilt, "probe", 1), 2);
    assert!(!marker.exists(), "the planted library ran");

    // Planted without a manifest at all: nothing to check it by, so rebuilt.
    let bare = work.path().join("bare");
    private_dir(&bare);
    plant(intruder.path(), &bare, &key);
    let rebuilt = compile(build.cache_dir(&bare));
    assert!(!rebuilt.from_cache());
    assert_eq!(call(rebuilt, "probe", 1), 2);

    // Planted writable by others in the user's own folder: refused outright.
    let open = work.path().join("open-file");
    copy_files(&cache, &open);
    plant(intruder.path(), &open, &key);
    chmod(&library_file(&open, &key), 0o666);
    let err = build.cache_dir(&open).compile().unwrap_err().to_string();
    let expected = format!(
        "refusing the cache file {}: it is writable by group and others (mode 0666)",
        library_file(&open, &key).display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(!marker.exists(), "the planted library ran");

    // The control: the planted library does run its constructor when loaded.
    // SAFETY: its constructor only writes the marker file.
    drop(unsafe { Library::open(intruder.path()) }.unwrap());
    assert_eq!(fs::read_to_string(&marker).unwrap(), "ran");
}

#[test]
fn a_cache_folder_others_can_write_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let marker = work.path().join("planted-ran");
    let mut build = CBuild::new();
    build.source_str("probe.c", GENUINE);
    let key = compile(&build).key().to_owned();

    // A complete forgery: the planted library with a manifest that names the
    // genuine key and the planted library's own digest.
    let intruder_dir = work.path().join("intruder");
    let intruder = planted(&marker, &intruder_dir);
    let shared = work.path().join("shared");
    private_dir(&shared);
    plant(intruder.path(), &shared, &key);
    let manifest = fs::read_to_string(manifest_file(&intruder_dir, intruder.key())).unwrap();
    let forged = manifest.replace(&format!("key {}", intruder.key()), &format!("key {key}"));
    assert_ne!(forged, manifest);
    fs::write(manifest_file(&shared, &key), forged).unwrap();
    chmod(&manifest_file(&shared, &key), 0o600);

    for (mode, writers) in [
        (0o777, "group and others"),
        (0o1777, "group and others"),
        (0o757, "others"),
        (0o770, "its group"),
    ] {
        chmod(&shared, mode);
        let err = build.cache_dir(&shared).compile().unwrap_err().to_string();
        let expected = format!(
            "refusing the cache folder {}: it is writable by {writers} (mode {mode:04o}); \
             expected a folder owned by this user that only it can write",
            shared.display()
        );
        assert!(err.contains(&expected), "{err}");
    }
    assert!(!marker.exists(), "the planted library ran");

    // The control: a folder only this user can write is trusted, so the
    // forgery would be taken (it is not loaded here).
    chmod(&shared, 0o700);
    let trusted = compile(build.cache_dir(&shared));
    assert!(trusted.from_cache(), "the forgery is not a valid one");
    assert!(
        trusted
            .verified()
            .contains("its SHA-256 matches the manifest")
    );
    assert!(!marker.exists());

    // A folder another user owns, when this process may give one away.
    let theirs = work.path().join("theirs");
    private_dir(&theirs);
    match std::os::unix::fs::chown(&theirs, Some(65534), None) {
        Ok(()) => {
            let err = build.cache_dir(&theirs).compile().unwrap_err().to_string();
            assert!(
                err.contains("it is owned by uid 65534, not by this user"),
                "{err}"
            );
        }
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied, "{e}"),
    }

    // A path that is a file, not a folder.
    let file = work.path().join("a-file");
    fs::write(&file, "").unwrap();
    let err = build.cache_dir(&file).compile().unwrap_err().to_string();
    assert!(err.contains("it is not a folder"), "{err}");

    // A folder the build creates is private to this user.
    let created = work.path().join("new").join("cache");
    compile(build.cache_dir(&created));
    let mode = fs::metadata(&created).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "mode {mode:o}");
    let stored = fs::metadata(library_file(&created, &key)).unwrap();
    assert_eq!(stored.permissions().mode() & 0o777, 0o600);
}

/// Runs `cc` (or `CC`) with `args` in `dir`, failing the test if it fails.
fn run_in(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The C compiler for the target the tests run on, as the harness finds it
/// (`RCTYPES_TARGET_CC`, else `CC`, else `cc`).
fn target_cc() -> String {
    ["RCTYPES_TARGET_CC", "CC"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "cc".into())
}

/// The archiver for the target (`AR_<target>`, as the `cc` crate reads it).
fn target_ar() -> String {
    let target = env!("RCTYPES_TARGET").replace('-', "_");
    std::env::var(format!("AR_{target}")).unwrap_or_else(|_| "ar".into())
}

/// Makes the static archive `dir/lib<name>.a` holding `code`.
fn archive(dir: &Path, name: &str, code: &str) {
    let cc = target_cc();
    fs::write(dir.join(format!("{name}.c")), code).unwrap();
    let object = format!("{name}.o");
    run_in(
        dir,
        &cc,
        &["-c", "-fPIC", &format!("{name}.c"), "-o", &object],
    );
    let lib = format!("lib{name}.a");
    let _ = fs::remove_file(dir.join(&lib));
    run_in(dir, &target_ar(), &["rcs", &lib, &object]);
}

#[test]
fn a_changed_static_archive_is_linked_again() {
    let libs = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    archive(
        libs.path(),
        "archived",
        "int archived(void) { return 100; }\n",
    );
    let mut build = CBuild::new();
    build
        .source_str(
            "via_archive.c",
            "int archived(void);\nint via_archive(int x) { return archived() + x; }\n",
        )
        .link("archived")
        .link_search(libs.path())
        .cache_dir(cache.path());
    assert_eq!(call(compile(&build), "via_archive", 1), 101);
    assert!(compile(&build).from_cache());

    archive(
        libs.path(),
        "archived",
        "int archived(void) { return 200; }\n",
    );
    let relinked = compile(&build);
    assert!(!relinked.from_cache(), "the old archive's code was reused");
    assert_eq!(call(relinked, "via_archive", 1), 201);
    assert!(compile(&build).from_cache());
}

#[test]
fn a_changed_system_header_is_compiled_again() {
    let system = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let header = system.path().join("sys_level.h");
    let mut build = CBuild::new();
    build
        .source_str(
            "level.c",
            "#include <sys_level.h>\nint level(int x) { return x + LEVEL; }\n",
        )
        .flag("-isystem")
        .flag(system.path())
        .cache_dir(cache.path());

    fs::write(&header, "#define LEVEL 10\n").unwrap();
    assert_eq!(call(compile(&build), "level", 1), 11);
    assert!(compile(&build).from_cache());

    fs::write(&header, "#define LEVEL 20\n").unwrap();
    let compiled = compile(&build);
    assert!(
        !compiled.from_cache(),
        "an -isystem header's change was missed"
    );
    assert_eq!(call(compiled, "level", 1), 21);
}

/// In a child process started by [`in_child`]: the test's name.
const CHILD: &str = "RCTYPES_CBUILD_CACHE_CHILD";
/// The cache folder a child builds into.
const CHILD_CACHE: &str = "RCTYPES_CBUILD_CACHE_FOLDER";

/// Starts the test `test` of this file in a new process of this test
/// binary, with the variables `cleared` removed and then `env` set.
fn in_child(test: &str, env: &[(&str, &Path)], cleared: &[&str]) -> std::process::Child {
    let mut command = rctypes_csrc::target_command(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            &format!("cbuild_cache::{test}"),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, test)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for name in cleared {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().unwrap()
}

/// What a child printed after `result: `.
fn result_of(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("result: "))
        .unwrap_or_else(|| panic!("no result in {stdout}"))
        .to_owned()
}

fn child_cache() -> Option<PathBuf> {
    std::env::var_os(CHILD)?;
    Some(
        std::env::var_os(CHILD_CACHE)
            .expect("set by in_child")
            .into(),
    )
}

#[test]
fn a_changed_environment_variable_is_compiled_again() {
    const TEST: &str = "a_changed_environment_variable_is_compiled_again";
    if let Some(cache) = child_cache() {
        let compiled = compile(
            CBuild::new()
                .source_str(
                    "from_env.c",
                    "#include <env_value.h>\n#ifndef EXTRA\n#define EXTRA 0\n#endif\n\
                     int from_env(int x) { return x + ENV_VALUE + EXTRA; }\n",
                )
                .cache_dir(cache),
        );
        let cached = compiled.from_cache();
        println!("\nresult: {} {cached}", call(compiled, "from_env", 0));
        return;
    }
    // The compiler finds the header through C_INCLUDE_PATH, and reads CFLAGS
    // through cc: each child process sees its own values.
    let work = tempfile::tempdir().unwrap();
    let (a, b, cache) = (
        work.path().join("a"),
        work.path().join("b"),
        work.path().join("cache"),
    );
    for (dir, value) in [(&a, 1), (&b, 2)] {
        fs::create_dir(dir).unwrap();
        fs::write(
            dir.join("env_value.h"),
            format!("#define ENV_VALUE {value}\n"),
        )
        .unwrap();
    }
    let extra = Path::new("-DEXTRA=10");
    let cleared = ["C_INCLUDE_PATH", "CPATH", "CFLAGS"];
    let run = |env: &[(&str, &Path)]| {
        let mut env = env.to_vec();
        env.push((CHILD_CACHE, &cache));
        result_of(in_child(TEST, &env, &cleared))
    };
    assert_eq!(run(&[("C_INCLUDE_PATH", &a)]), "1 false");
    assert_eq!(run(&[("C_INCLUDE_PATH", &a)]), "1 true");
    assert_eq!(run(&[("C_INCLUDE_PATH", &b)]), "2 false");
    assert_eq!(
        run(&[("C_INCLUDE_PATH", &b), ("CFLAGS", extra)]),
        "12 false"
    );
    assert_eq!(run(&[("C_INCLUDE_PATH", &a)]), "1 true");
}

#[test]
fn two_processes_building_one_key_compile_it_once() {
    const TEST: &str = "two_processes_building_one_key_compile_it_once";
    if let Some(cache) = child_cache() {
        // Both children start building only once both are running, so the
        // builds overlap; the result does not depend on how they interleave.
        let start = cache.parent().unwrap().join("start");
        fs::write(start.join(std::process::id().to_string()), "").unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while fs::read_dir(&start).unwrap().count() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let compiled = compile(
            CBuild::new()
                .source_str("shared.c", "int shared(int x) { return x * 3; }\n")
                .cache_dir(&cache),
        );
        let cached = compiled.from_cache();
        println!("\nresult: {} {cached}", call(compiled, "shared", 5));
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    fs::create_dir(work.path().join("start")).unwrap();
    let env = [(CHILD_CACHE, cache.as_path())];
    let children = [in_child(TEST, &env, &[]), in_child(TEST, &env, &[])];
    let mut results = children.map(result_of);
    results.sort();
    // One compiled, the other waited and took its library.
    assert_eq!(results, ["15 false", "15 true"]);
    let mut names: Vec<String> = fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let exts: Vec<&str> = names
        .iter()
        .filter_map(|n| n.split_once('.'))
        .map(|(_, ext)| ext)
        .collect();
    assert_eq!(exts, ["lock", "manifest", "so"], "{names:?}");
}

/// Installs `script` as the executable `path` without this process ever
/// holding it open for writing (a thread forking then would make running it
/// fail with "text file busy").
fn install_script(path: &Path, script: &str) {
    let staged = path.with_extension("staged");
    fs::write(&staged, script).unwrap();
    chmod(&staged, 0o755);
    run_in(
        path.parent().unwrap(),
        "cp",
        &[staged.to_str().unwrap(), path.to_str().unwrap()],
    );
}

#[test]
fn a_changed_compiler_is_a_different_build() {
    let work = tempfile::tempdir().unwrap();
    let compiler = work.path().join("wrapped-cc");
    let script = |release: u32| {
        format!(
            "#!/bin/sh\n# release {release}\nexec {} \"$@\"\n",
            target_cc()
        )
    };
    install_script(&compiler, &script(1));
    let mut build = CBuild::new();
    build
        .source_str("wrapped.c", "int wrapped(int x) { return x - 1; }\n")
        .compiler(&compiler)
        .cache_dir(work.path().join("cache"));
    let first = compile(&build);
    assert!(!first.from_cache());
    assert!(compile(&build).from_cache());

    // Same path, another program: another build.
    install_script(&compiler, &script(22));
    let second = compile(&build);
    assert!(!second.from_cache());
    assert_ne!(second.key(), first.key());
    assert_eq!(call(second, "wrapped", 1), 0);
}

#[test]
fn a_source_file_is_compiled_as_it_was_read() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("as_read.c");
    fs::write(work.path().join("beside.h"), "#define READ 1\n").unwrap();
    fs::write(
        &source,
        "#include <string.h>\n#include \"beside.h\"\n\
         int as_read(int x) { return x + READ; }\n\
         int named(int x) { (void)x; return strstr(__FILE__, \"/as_read.c\") != 0 \
             && strstr(__FILE__, \"rctypes-file-sources\") == 0; }\n",
    )
    .unwrap();
    // A compiler that rewrites the source whenever it runs, that is after
    // the build read it: the build must compile what it read and hashed.
    let compiler = work.path().join("rewriting-cc");
    install_script(
        &compiler,
        &format!(
            "#!/bin/sh\nprintf 'int as_read(int x) {{ return x + 2; }}\\n' > '{}'\nexec {} \"$@\"\n",
            source.display(),
            target_cc()
        ),
    );
    let mut build = CBuild::new();
    build.file(&source).compiler(&compiler);
    let compiled = compile(&build);
    // SAFETY: as_read.c defines `int as_read(int)` and `int named(int)`.
    let lib = unsafe { compiled.load() }.unwrap();
    // SAFETY: as above.
    let (as_read, named) = unsafe {
        (
            lib.typed::<(i32,), i32>("as_read").unwrap(),
            lib.typed::<(i32,), i32>("named").unwrap(),
        )
    };
    assert_eq!(as_read.call((0,)), 1, "compiled the file as rewritten");
    assert_eq!(named.call((0,)), 1, "__FILE__ does not name the source");

    // Built again, it reads the new contents: a new key and a new library.
    let again = compile(&build);
    assert!(!again.from_cache());
    assert_eq!(call(again, "as_read", 0), 2);
}
