//! The crate's layers hold: a module uses only modules of its own layer or
//! below, and names them by path (`crate::stage::Stage`), never through the
//! crate root's re-exports.

use std::path::Path;

/// Bottom to top, as `src/lib.rs` lists them.
const LAYERS: &[&[&str]] = &[
    &["text", "id", "memo", "digest", "stage", "action", "actor", "version", "progress"],
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
