//! The crate's layers hold: a module uses only modules of its own layer or
//! below, and names them by path (`crate::stage::Stage`), never through the
//! crate root's re-exports.

use std::path::Path;

/// Bottom to top, as `src/lib.rs` lists them.
const LAYERS: &[&[&str]] = &[
    &["text", "id", "instant", "memo", "digest", "stage", "action", "actor", "version", "progress"],
    &["health", "incident"],
    &["checklist", "policy"],
    &["plan", "roster"],
    &["event", "release"],
    &["audit", "typed", "metrics", "store"],
    &["error"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_above_it_or_the_root_re_exports() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str().to_str().unwrap().trim_end_matches(".rs");
        if top == "lib" {
            continue;
        }
        let own =
            layer_of(top).unwrap_or_else(|| panic!("{top} is in no layer: add it to LAYERS and lib.rs"));
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue; // docs may link anywhere
            }
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if name.starts_with(char::is_uppercase) || rest.starts_with('{') {
                    problems.push(format!(
                        "{}:{}: imports through the crate root: {code}",
                        relative.display(),
                        number + 1
                    ));
                } else if let Some(layer) = layer_of(&name)
                    && layer > own
                {
                    problems.push(format!(
                        "{}:{}: {top} uses {name}, a layer above it",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The names the crate root keeps: what every tool needs. Everything else
/// is reached through the public module of its layer.
const ROOT_NAMES: &[&str] = &[
    "Actor",
    "Error",
    "Event",
    "Gate",
    "NextAction",
    "PersonId",
    "Release",
    "ReleaseError",
    "ReleaseKind",
    "Role",
    "Stage",
    "Template",
];

/// The modules of `src/lib.rs`, public or not, in the order it declares them.
fn declared_modules(lib: &str) -> Vec<(String, bool)> {
    lib.lines()
        .filter_map(|line| {
            let (public, rest) = match line.strip_prefix("pub mod ") {
                Some(rest) => (true, rest),
                None => (false, line.strip_prefix("mod ")?),
            };
            Some((rest.trim_end_matches(';').to_string(), public))
        })
        .collect()
}

#[test]
fn public_modules_mirror_the_layers_and_the_root_keeps_a_dozen_names() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let modules = declared_modules(&lib);
    assert!(modules.len() > 10, "{modules:?}");
    for (module, _) in &modules {
        assert!(layer_of(module).is_some(), "{module} is in no layer: add it to LAYERS");
    }

    // The front page's map lists every public module, bottom layer first.
    let map: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//! | "))
        .filter_map(|row| row.split(" | ").next())
        .map(|cell| cell.trim_matches(|c| c == '[' || c == ']' || c == '`'))
        .filter(|name| modules.iter().any(|(module, _)| module == name))
        .collect();
    let public: Vec<&str> =
        modules.iter().filter(|(_, public)| *public).map(|(module, _)| module.as_str()).collect();
    let mut sorted_map = map.clone();
    sorted_map.sort_unstable();
    let mut sorted_public = public.clone();
    sorted_public.sort_unstable();
    assert_eq!(sorted_map, sorted_public, "the map in src/lib.rs lists exactly the public modules");
    let layers: Vec<usize> = map.iter().map(|module| layer_of(module).unwrap()).collect();
    assert!(layers.windows(2).all(|pair| pair[0] <= pair[1]), "the map goes bottom to top: {map:?}");

    // The root re-exports the dozen names and the crates in the API, nothing else.
    let mut root = Vec::new();
    for line in lib.lines().filter(|line| line.starts_with("pub use ")) {
        let path = line.trim_start_matches("pub use ").trim_end_matches(';');
        match path.split_once("::") {
            None => assert!(["chrono", "chrono_tz", "semver"].contains(&path), "re-exported crate {path}"),
            Some((_, names)) => root.extend(
                names.trim_matches(|c| c == '{' || c == '}').split(',').map(|name| name.trim().to_string()),
            ),
        }
    }
    root.sort_unstable();
    assert_eq!(root, ROOT_NAMES);
}
