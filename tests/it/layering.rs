//! The layering test: the library's modules import one way, top to bottom, with no cycle between
//! modules or between files, and the simulation's core neither prints, nor reads files, nor reads
//! the clock.
//!
//! It reads `src/**/*.rs` as text (no parser crate): comments and literals are blanked, the module
//! tree is followed from `lib.rs` and `main.rs` through their `mod` declarations, and every path
//! that names an item of the crate is an import: `use crate::…` (groups and nested braces
//! expanded), inline `crate::x::…`, `super::…` and `self::…` resolved to the module they reach,
//! a child module's name (`lru::Lru` in `cache/mod.rs`), and `cdnsim::…` in the binary. A path
//! lands in the deepest module it names, so `crate::cache::Entry` is an import of
//! `cache/mod.rs` and `crate::cache::lru::Lru` one of `cache/lru.rs`.
//!
//! Code under `#[cfg(test)]` is left out: a unit test may build what it needs from anywhere.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;

/// One layer of the dependency order and the top-level modules in it.
struct Layer {
    name: &'static str,
    modules: &'static [&'static str],
}

/// The layers, top to bottom. A module may import from any layer below its own, and from its own
/// layer only where no cycle results (checked separately); never from a layer above.
const LAYERS: &[Layer] = &[
    // The binary (`main.rs` and `cli/`): clap arguments, progress bars, tables and exit codes.
    // Nothing in the library knows it exists.
    Layer { name: "command line", modules: &["main", "cli"] },
    // What the command line offers, each built on the engine: sweeps, lessons, charts, result
    // files and access logs, trace replay, miss-ratio curves.
    Layer {
        name: "applications",
        modules: &["sweep", "lesson", "plot", "report", "trace", "replay", "mrc", "signing"],
    },
    // The discrete-event loop that runs one scenario.
    Layer { name: "engine", modules: &["engine"] },
    // What the engine is made of: the static layout and traffic, the caches, CloudFront's rules
    // and the counters.
    Layer { name: "simulation parts", modules: &["cdn", "cache", "policy", "metrics"] },
    // A validated scenario and its loader: the vocabulary every part above is configured in.
    Layer { name: "scenario", modules: &["scenario"] },
    // Self-contained building blocks with no knowledge of the simulation. (Signing is the crate
    // `cdnsim-sign`, below all of them; its own test keeps its modules in one order.)
    Layer { name: "leaves", modules: &["rng", "time", "units", "geo", "places", "dist", "http", "prefetch"] },
];

/// What the rules would refuse, let through by name until the change that removes it lands.
enum Exception {
    /// One import in one file, as written with groups expanded: left out of every rule.
    Import { name: &'static str, file: &'static str, import: &'static str },
    /// The import cycles among the files of one top-level module.
    FileCycles { name: &'static str, module: &'static str },
}

/// Each exception must still match something: one that matches nothing fails the test, so that
/// it is deleted with what it let through.
const EXCEPTIONS: &[Exception] = &[];

/// The modules whose code must not print, read files or stdin, or read the clock: the
/// simulation is a pure function of its scenario and seed.
const PURE_MODULES: &[&str] = &["engine", "cdn", "policy", "cache", "metrics"];

/// What `PURE_MODULES` may not name, outside tests: a path (`std::fs`, `File::`) or an
/// identifier (`Instant`), and what it means.
const FORBIDDEN: &[(&str, &str)] = &[
    ("print!", "prints"),
    ("println!", "prints"),
    ("eprint!", "prints"),
    ("eprintln!", "prints"),
    ("dbg!", "prints"),
    ("stdout", "prints"),
    ("stderr", "prints"),
    ("std::fs", "reads files"),
    ("File::", "reads files"),
    ("stdin", "reads stdin"),
    ("Instant", "reads the clock"),
    ("SystemTime", "reads the clock"),
];

#[test]
fn the_crate_imports_one_way_and_the_core_does_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    read_sources(&root, &root, &mut sources);
    assert!(sources.contains_key("lib.rs") && sources.contains_key("engine/mod.rs"), "read the crate from {root:?}");
    let problems = check(&sources, EXCEPTIONS);
    assert!(problems.is_empty(), "the layering rules are broken:\n{}", problems.join("\n"));
}

fn read_sources(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
            out.insert(relative, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Every broken rule in `sources` (file paths relative to `src/` to their text), one message each
/// naming file:line, the import and the rule.
fn check(sources: &BTreeMap<String, String>, exceptions: &[Exception]) -> Vec<String> {
    let tree = match Tree::read(sources) {
        Ok(tree) => tree,
        Err(problem) => return vec![problem],
    };
    let mut used = vec![false; exceptions.len()];
    let mut imports = Vec::new();
    for import in tree.imports() {
        let excepted = exceptions.iter().position(|e| {
            matches!(e, Exception::Import { file, import: text, .. } if *file == import.file && *text == import.text)
        });
        match excepted {
            Some(index) => used[index] = true,
            None => imports.push(import),
        }
    }
    let mut problems = Vec::new();
    upward_imports(&imports, &mut problems);
    module_cycles(&imports, &mut problems);
    file_cycles(&imports, exceptions, &mut used, &mut problems);
    for (file, parsed) in &tree.files {
        if PURE_MODULES.contains(&parsed.top_module()) {
            forbidden_calls(file, parsed, &mut problems);
        }
    }
    for (exception, used) in exceptions.iter().zip(used) {
        if !used {
            let (name, what) = match exception {
                Exception::Import { name, file, import } => (name, format!("{file} importing `{import}`")),
                Exception::FileCycles { name, module } => (name, format!("file cycles in `{module}`")),
            };
            problems.push(format!("exception {name:?} ({what}) matches nothing any more: delete it from EXCEPTIONS"));
        }
    }
    problems
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.modules.contains(&module))
}

/// Rule (i): no import from a layer above the importer's.
fn upward_imports(imports: &[Import], problems: &mut Vec<String>) {
    for import in imports {
        let (from, to) = (import.from_module.as_str(), import.to_module.as_str());
        let (Some(from_layer), Some(to_layer)) = (layer_of(from), layer_of(to)) else {
            let missing = if layer_of(from).is_none() { from } else { to };
            problems.push(format!(
                "{}:{}: `{}`: module `{missing}` is in no layer: add it to LAYERS",
                import.file, import.line, import.text
            ));
            continue;
        };
        if to_layer < from_layer {
            problems.push(format!(
                "{}:{}: `{}`: `{from}` ({}) imports from `{to}` ({}), a layer above it",
                import.file, import.line, import.text, LAYERS[from_layer].name, LAYERS[to_layer].name
            ));
        }
    }
}

/// Rule (ii): the top-level modules form no cycle.
fn module_cycles(imports: &[Import], problems: &mut Vec<String>) {
    let edges = imports.iter().filter(|i| i.from_module != i.to_module).map(|i| (&i.from_module, &i.to_module, i));
    for cycle in cycles(edges) {
        problems.push(format!("top-level modules import each other in a cycle:\n{}", describe_cycle(&cycle)));
    }
}

/// Rule (iii): the files form no cycle, except among the files of a module named by an
/// `Exception::FileCycles`.
fn file_cycles(imports: &[Import], exceptions: &[Exception], used: &mut [bool], problems: &mut Vec<String>) {
    let edges = imports.iter().filter(|i| i.file != i.to_file).map(|i| (&i.file, &i.to_file, i));
    for cycle in cycles(edges) {
        let excepted = exceptions.iter().position(|e| {
            matches!(e, Exception::FileCycles { module, .. } if cycle.iter().all(|i| i.from_module == *module && i.to_module == *module))
        });
        if let Some(index) = excepted {
            used[index] = true;
            continue;
        }
        problems.push(format!(
            "files import each other in a cycle (move what they share into a file both import):\n{}",
            describe_cycle(&cycle)
        ));
    }
}

fn describe_cycle(cycle: &[&Import]) -> String {
    let mut text = String::new();
    for import in cycle {
        let _ = writeln!(text, "  {}:{}: `{}` ({})", import.file, import.line, import.text, import.to_file);
    }
    text.trim_end().to_string()
}

/// One cycle through each strongly connected group of nodes of more than one node, as the edges
/// that close it (the first import found for each step), in a stable order.
fn cycles<'a>(edges: impl Iterator<Item = (&'a String, &'a String, &'a Import)>) -> Vec<Vec<&'a Import>> {
    let mut graph: BTreeMap<&str, BTreeMap<&str, &Import>> = BTreeMap::new();
    for (from, to, import) in edges {
        graph.entry(from).or_default().entry(to).or_insert(import);
        graph.entry(to).or_default();
    }
    let mut found = Vec::new();
    for group in strongly_connected(&graph) {
        if group.len() < 2 {
            continue;
        }
        // The shortest way from the group's first node back to itself.
        let start = group[0];
        let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        while let Some(node) = queue.pop_front() {
            for &next in graph[node].keys() {
                if next == start {
                    closing = Some(node);
                    break;
                }
                if group.contains(&next) && !previous.contains_key(next) {
                    previous.insert(next, node);
                    queue.push_back(next);
                }
            }
            if closing.is_some() {
                break;
            }
        }
        let mut node = closing.expect("a strongly connected group of two or more nodes has a cycle");
        let mut steps = vec![graph[node][start]];
        while node != start {
            let before = previous[node];
            steps.push(graph[before][node]);
            node = before;
        }
        steps.reverse();
        found.push(steps);
    }
    found
}

/// Tarjan's strongly connected components, each sorted, in the order they complete.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, BTreeMap<&'a str, &Import>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        groups: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(node: &'a str, graph: &BTreeMap<&'a str, BTreeMap<&'a str, &Import>>, s: &mut State<'a>) {
        let index = s.index.len();
        s.index.insert(node, index);
        s.low.insert(node, index);
        s.stack.push(node);
        s.on_stack.insert(node);
        for &next in graph[node].keys() {
            if !s.index.contains_key(next) {
                visit(next, graph, s);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut group = Vec::new();
            loop {
                let member = s.stack.pop().unwrap();
                s.on_stack.remove(member);
                group.push(member);
                if member == node {
                    break;
                }
            }
            group.sort_unstable();
            s.groups.push(group);
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for &node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(node, graph, &mut state);
        }
    }
    state.groups
}

/// Rule (iv): nothing in `file` outside tests prints, reads files or stdin, or reads the clock.
fn forbidden_calls(file: &str, parsed: &SourceFile, problems: &mut Vec<String>) {
    let mut found = Vec::new();
    let tokens = &parsed.tokens;
    for (i, token) in tokens.iter().enumerate() {
        if parsed.in_test(token.offset) {
            continue;
        }
        let Tok::Ident(name) = &token.kind else { continue };
        let next = tokens.get(i + 1).map(|t| &t.kind);
        let after = tokens.get(i + 2).map(|t| &t.kind);
        let written = match (name.as_str(), next, after) {
            ("std", Some(Tok::PathSep), Some(Tok::Ident(fs))) if fs == "fs" => "std::fs".to_string(),
            ("File", Some(Tok::PathSep), _) => "File::".to_string(),
            (_, Some(Tok::Punct(b'!')), _) => format!("{name}!"),
            _ => name.clone(),
        };
        found.push((token.line, written));
    }
    // `use std::{fs, io};` names `std::fs` with no `std::fs` in the text.
    for (segments, line, _) in paths(parsed) {
        if segments.starts_with(&["std".to_string(), "fs".to_string()]) {
            found.push((line, "std::fs".to_string()));
        }
    }
    found.sort();
    found.dedup();
    for (line, written) in found {
        if let Some((_, what)) = FORBIDDEN.iter().find(|(pattern, _)| *pattern == written) {
            problems.push(format!(
                "{file}:{line}: `{written}`: `{}` {what}, and the simulation's core ({}) must not",
                parsed.top_module(),
                PURE_MODULES.join(", ")
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the sources.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Crate {
    Lib,
    Bin,
}

/// One import: a path in `file` at `line` that reaches the module in `to_file`.
#[derive(Debug)]
struct Import {
    file: String,
    line: usize,
    /// The path as written, groups expanded (`crate::cache::Entry`).
    text: String,
    to_file: String,
    from_module: String,
    to_module: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(u8),
}

#[derive(Clone, Debug)]
struct Token {
    kind: Tok,
    offset: usize,
    line: usize,
}

/// An inline `mod name { … }` and the byte span of its braces.
struct InlineModule {
    name: String,
    span: (usize, usize),
}

struct SourceFile {
    krate: Crate,
    /// The file's module path inside its crate (empty for `lib.rs` and `main.rs`).
    module: Vec<String>,
    tokens: Vec<Token>,
    /// Byte spans of `#[cfg(test)]` items.
    tests: Vec<(usize, usize)>,
    inline: Vec<InlineModule>,
}

impl SourceFile {
    fn in_test(&self, offset: usize) -> bool {
        self.tests.iter().any(|&(start, end)| (start..end).contains(&offset))
    }

    /// The module the code at `offset` is in, inline modules included.
    fn module_at(&self, offset: usize) -> Vec<String> {
        let mut module = self.module.clone();
        let mut enclosing: Vec<&InlineModule> =
            self.inline.iter().filter(|m| (m.span.0..m.span.1).contains(&offset)).collect();
        enclosing.sort_by_key(|m| m.span.0);
        module.extend(enclosing.iter().map(|m| m.name.clone()));
        module
    }

    /// The top-level module a path in the crate belongs to, as the layer table names it.
    fn top_module(&self) -> &str {
        top_module(self.krate, &self.module)
    }
}

fn top_module(krate: Crate, module: &[String]) -> &str {
    match (krate, module.first()) {
        (Crate::Bin, None) => "main",
        (Crate::Lib, None) => "lib",
        (_, Some(first)) => first,
    }
}

/// The crates' files, reached from `lib.rs` and `main.rs` through `mod` declarations.
struct Tree {
    /// Path relative to `src/` to the file.
    files: BTreeMap<String, SourceFile>,
    /// Every module (files' and inline ones) to the file that holds it.
    modules: BTreeMap<(Crate, Vec<String>), String>,
}

impl Tree {
    fn read(sources: &BTreeMap<String, String>) -> Result<Tree, String> {
        let mut tree = Tree { files: BTreeMap::new(), modules: BTreeMap::new() };
        let mut pending =
            vec![("lib.rs".to_string(), Crate::Lib, Vec::new()), ("main.rs".to_string(), Crate::Bin, Vec::new())];
        while let Some((path, krate, module)) = pending.pop() {
            let Some(text) = sources.get(&path) else {
                if module.is_empty() {
                    continue; // A crate with no binary, in the checker's own tests.
                }
                return Err(format!("module `{}` is declared, but {path} is not there", module.join("::")));
            };
            if text.contains("#[path") {
                return Err(format!("{path}: `#[path]` attributes are not followed by the layering test"));
            }
            let code = blank_comments_and_literals(text.as_bytes());
            let tokens = tokenize(&code);
            let tests = test_items(&tokens, &code);
            let mut file = SourceFile { krate, module: module.clone(), tokens, tests, inline: Vec::new() };
            // `mod name;` and `mod name { … }`, outside tests.
            let tokens = &file.tokens;
            for i in 0..tokens.len() {
                let (Tok::Ident(keyword), Some(Tok::Ident(name))) =
                    (&tokens[i].kind, tokens.get(i + 1).map(|t| &t.kind))
                else {
                    continue;
                };
                if keyword != "mod" || file.in_test(tokens[i].offset) {
                    continue;
                }
                match tokens.get(i + 2).map(|t| &t.kind) {
                    Some(Tok::Punct(b';')) => {
                        let at = file.module_at(tokens[i].offset);
                        let child_path = child_file(&path, &at[module.len()..], name, sources);
                        let mut child = at;
                        child.push(name.clone());
                        pending.push((child_path, krate, child));
                    }
                    Some(Tok::Punct(b'{')) => {
                        let open = tokens[i + 2].offset;
                        let close = matching_brace(&code, open);
                        file.inline.push(InlineModule { name: name.clone(), span: (open, close) });
                    }
                    _ => {}
                }
            }
            for inline in &file.inline {
                // Just inside its brace, the code is in the inline module itself.
                tree.modules.insert((krate, file.module_at(inline.span.0 + 1)), path.clone());
            }
            tree.modules.insert((krate, module), path.clone());
            tree.files.insert(path, file);
        }
        Ok(tree)
    }

    /// Every import of every file, outside tests, in file order.
    fn imports(&self) -> Vec<Import> {
        let mut imports = Vec::new();
        for (path, file) in &self.files {
            for (segments, line, offset) in paths(file) {
                let Some((krate, absolute)) = self.resolve(file, offset, &segments) else { continue };
                let Some((module, to_file)) = self.deepest_module(krate, &absolute) else { continue };
                let from_module = top_module(file.krate, &file.module_at(offset)).to_string();
                if from_module == "lib" {
                    continue; // `lib.rs` only declares the modules.
                }
                imports.push(Import {
                    file: path.clone(),
                    line,
                    text: segments.join("::"),
                    to_file: to_file.clone(),
                    from_module,
                    to_module: top_module(krate, module).to_string(),
                });
            }
        }
        imports
    }

    /// The crate and absolute module path that `segments`, written in `file` at `offset`, name;
    /// `None` for a path outside the crates (`std::`, another crate, a local item).
    fn resolve(&self, file: &SourceFile, offset: usize, segments: &[String]) -> Option<(Crate, Vec<String>)> {
        let here = file.module_at(offset);
        let first = segments[0].as_str();
        let (krate, mut absolute, rest) = match first {
            "crate" | "$crate" => (file.krate, Vec::new(), &segments[1..]),
            "cdnsim" if file.krate == Crate::Bin => (Crate::Lib, Vec::new(), &segments[1..]),
            "self" | "super" => {
                let mut module = here;
                let mut rest = segments;
                if rest[0] == "self" {
                    rest = &rest[1..];
                }
                while rest.first().is_some_and(|s| s == "super") {
                    module.pop()?;
                    rest = &rest[1..];
                }
                (file.krate, module, rest)
            }
            name => {
                let mut child = here.clone();
                child.push(name.to_string());
                if !self.modules.contains_key(&(file.krate, child)) {
                    return None;
                }
                (file.krate, here, segments)
            }
        };
        absolute.extend(rest.iter().cloned());
        Some((krate, absolute))
    }

    /// The deepest module `absolute` names and its file; `None` for the crate root.
    fn deepest_module<'a>(&'a self, krate: Crate, absolute: &'a [String]) -> Option<(&'a [String], &'a String)> {
        (1..=absolute.len())
            .rev()
            .find_map(|n| self.modules.get(&(krate, absolute[..n].to_vec())).map(|file| (&absolute[..n], file)))
    }
}

/// The file of `mod name;` declared in `parent` (a path relative to `src/`), inside the inline
/// modules `inline` of that file.
fn child_file(parent: &str, inline: &[String], name: &str, sources: &BTreeMap<String, String>) -> String {
    let (dir, stem) = match parent.rsplit_once('/') {
        Some((dir, file)) => (format!("{dir}/"), file.trim_end_matches(".rs")),
        None => (String::new(), parent.trim_end_matches(".rs")),
    };
    let mut base = if matches!(stem, "mod" | "lib" | "main") { dir } else { format!("{dir}{stem}/") };
    for module in inline {
        base.push_str(module);
        base.push('/');
    }
    let flat = format!("{base}{name}.rs");
    if sources.contains_key(&flat) { flat } else { format!("{base}{name}/mod.rs") }
}

/// Every path in `file` outside tests that may name a module of a crate, as (segments, line,
/// offset): `use` trees expanded, and inline paths starting with `crate`, `super`, `self`,
/// `cdnsim` or any other name followed by `::` (`resolve` keeps the ones that reach the crate).
fn paths(file: &SourceFile) -> Vec<(Vec<String>, usize, usize)> {
    let tokens = &file.tokens;
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if file.in_test(tokens[i].offset) {
            i += 1;
            continue;
        }
        // `use<'a>` in an `impl Trait` is a capture list, not a declaration.
        let is_use =
            tokens[i].kind == Tok::Ident("use".into()) && tokens.get(i + 1).is_some_and(|t| t.kind != Tok::Punct(b'<'));
        if is_use {
            let offset = tokens[i].offset;
            let end = (i..tokens.len()).find(|&j| tokens[j].kind == Tok::Punct(b';')).unwrap_or(tokens.len());
            let mut at = i + 1;
            let mut leaves = Vec::new();
            use_tree(&tokens[..end], &mut at, Vec::new(), &mut leaves);
            found.extend(leaves.into_iter().map(|(segments, line)| (segments, line, offset)));
            i = end + 1;
            continue;
        }
        let starts_path = matches!(&tokens[i].kind, Tok::Ident(_))
            && tokens.get(i + 1).is_some_and(|t| t.kind == Tok::PathSep)
            && (i == 0 || tokens[i - 1].kind != Tok::PathSep);
        if !starts_path {
            i += 1;
            continue;
        }
        let (offset, line) = (tokens[i].offset, tokens[i].line);
        let mut segments = Vec::new();
        while let Some(Tok::Ident(name)) = tokens.get(i).map(|t| &t.kind) {
            segments.push(name.clone());
            if tokens.get(i + 1).map(|t| &t.kind) == Some(&Tok::PathSep)
                && matches!(tokens.get(i + 2).map(|t| &t.kind), Some(Tok::Ident(_)))
            {
                i += 2;
            } else {
                i += 1;
                break;
            }
        }
        found.push((segments, line, offset));
    }
    found
}

/// Expands the `use` tree at `tokens[*at..]` under `prefix` into its leaf paths (`self` is its
/// module's path, a glob ends in `*`), each with the line of its last segment.
fn use_tree(tokens: &[Token], at: &mut usize, mut prefix: Vec<String>, leaves: &mut Vec<(Vec<String>, usize)>) {
    let mut line = tokens.get(*at).map_or(0, |t| t.line);
    while let Some(token) = tokens.get(*at) {
        match &token.kind {
            Tok::Punct(b'{') => {
                *at += 1;
                while let Some(token) = tokens.get(*at) {
                    match token.kind {
                        Tok::Punct(b'}') => break,
                        Tok::Punct(b',') => *at += 1,
                        _ => use_tree(tokens, at, prefix.clone(), leaves),
                    }
                }
                *at += 1;
                return;
            }
            Tok::Punct(b'*') => {
                prefix.push("*".to_string());
                *at += 1;
                break;
            }
            Tok::PathSep => *at += 1,
            Tok::Ident(name) if name == "as" => {
                *at += 2;
                break;
            }
            Tok::Ident(name) => {
                line = token.line;
                if name != "self" || prefix.is_empty() {
                    prefix.push(name.clone());
                }
                *at += 1;
                if tokens.get(*at).map(|t| &t.kind) != Some(&Tok::PathSep) {
                    if tokens.get(*at).map(|t| &t.kind) == Some(&Tok::Ident("as".into())) {
                        *at += 2;
                    }
                    break;
                }
            }
            Tok::Punct(_) => break,
        }
    }
    if !prefix.is_empty() {
        leaves.push((prefix, line));
    }
}

/// Spaces in place of comments and of string and character literals, newlines kept, so that
/// byte offsets and lines stay those of the file and no literal reads as code.
fn blank_comments_and_literals(text: &[u8]) -> Vec<u8> {
    let mut code = text.to_vec();
    let blank = |code: &mut Vec<u8>, from: usize, to: usize| {
        for byte in &mut code[from..to.min(text.len())] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with(b"//") {
            let end = memchr(b'\n', &text[i..]).map_or(text.len(), |n| i + n);
            blank(&mut code, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (1, i + 2);
            while j < text.len() && depth > 0 {
                if text[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if text[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut code, i, j);
            i = j;
        } else if let Some(end) = raw_string_end(text, i).filter(|_| i == 0 || !ident(text[i - 1])) {
            blank(&mut code, i, end);
            i = end;
        } else if text[i] == b'"' {
            let mut j = i + 1;
            while j < text.len() && text[j] != b'"' {
                j += if text[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut code, i, j + 1);
            i = j + 1;
        } else if text[i] == b'\'' {
            // A character literal ('a', '\n', '\'', 'é'), or else a lifetime or label.
            let end = if rest.get(1) == Some(&b'\\') {
                memchr(b'\'', &text[i + 3..]).map(|n| i + 3 + n + 1)
            } else {
                let width = std::str::from_utf8(&rest[1..rest.len().min(5)])
                    .or_else(|e| std::str::from_utf8(&rest[1..1 + e.valid_up_to()]))
                    .ok()
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                (rest.get(1 + width) == Some(&b'\'')).then_some(i + width + 2)
            };
            match end {
                Some(end) => {
                    blank(&mut code, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    code
}

/// Where the raw string (`r"…"`, `r#"…"#`, `br#"…"#`) starting at `i` ends, if one does.
fn raw_string_end(text: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if text.get(j) == Some(&b'b') {
        j += 1;
    }
    if text.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = text[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    if text.get(j) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.extend(std::iter::repeat_n(b'#', hashes));
    let body = j + 1;
    (body..text.len()).find(|&k| text[k..].starts_with(&closing)).map(|k| k + closing.len())
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn tokenize(code: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < code.len() {
        let b = code[i];
        if b == b'\n' {
            line += 1;
            i += 1;
        } else if b.is_ascii_whitespace() {
            i += 1;
        } else if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 {
            let start = i;
            i += 1;
            while i < code.len() && (code[i].is_ascii_alphanumeric() || code[i] == b'_' || code[i] >= 0x80) {
                i += 1;
            }
            let mut name = String::from_utf8_lossy(&code[start..i]).into_owned();
            // A raw identifier (`r#type`) is the identifier.
            if name == "r" && code.get(i) == Some(&b'#') && code.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                let start = i + 1;
                i = start;
                while i < code.len() && (code[i].is_ascii_alphanumeric() || code[i] == b'_') {
                    i += 1;
                }
                name = String::from_utf8_lossy(&code[start..i]).into_owned();
            }
            tokens.push(Token { kind: Tok::Ident(name), offset: start, line });
        } else if code[i..].starts_with(b"::") {
            tokens.push(Token { kind: Tok::PathSep, offset: i, line });
            i += 2;
        } else {
            tokens.push(Token { kind: Tok::Punct(b), offset: i, line });
            i += 1;
        }
    }
    tokens
}

/// The byte offset just past the `}` matching the `{` at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, &b) in code.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// The byte spans of items under `#[cfg(test)]`: the attribute through the item's closing brace
/// or semicolon.
fn test_items(tokens: &[Token], code: &[u8]) -> Vec<(usize, usize)> {
    let kinds: Vec<&Tok> = tokens.iter().map(|t| &t.kind).collect();
    let attribute = [
        Tok::Punct(b'#'),
        Tok::Punct(b'['),
        Tok::Ident("cfg".into()),
        Tok::Punct(b'('),
        Tok::Ident("test".into()),
        Tok::Punct(b')'),
        Tok::Punct(b']'),
    ];
    let mut spans = Vec::new();
    for i in 0..tokens.len() {
        if kinds.len() < i + attribute.len()
            || !kinds[i..i + attribute.len()].iter().zip(&attribute).all(|(a, b)| *a == b)
        {
            continue;
        }
        // The item ends at its first `;` or at the brace matching its first `{`, at depth 0 of
        // brackets and parentheses (other attributes and a signature come before).
        let mut depth = 0i32;
        let mut end = code.len();
        for token in &tokens[i + attribute.len()..] {
            match token.kind {
                Tok::Punct(b'(' | b'[') => depth += 1,
                Tok::Punct(b')' | b']') => depth -= 1,
                Tok::Punct(b';') if depth == 0 => {
                    end = token.offset + 1;
                    break;
                }
                Tok::Punct(b'{') if depth == 0 => {
                    end = matching_brace(code, token.offset);
                    break;
                }
                _ => {}
            }
        }
        spans.push((tokens[i].offset, end));
    }
    spans
}

// ---------------------------------------------------------------------------------------------
// The checker on small crates, so that each rule provably fails when broken.

fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files.iter().map(|(path, text)| (path.to_string(), text.to_string())).collect()
}

/// A crate of four layers' modules that keeps every rule.
const CLEAN: &[(&str, &str)] = &[
    ("lib.rs", "pub mod engine;\npub mod scenario;\npub mod time;\npub mod trace;\n"),
    (
        "engine/mod.rs",
        "//! Mentions crate::trace::Reader and println!(\"x\") only in a comment.\n\
         mod queue;\n\
         use crate::{scenario::{self, Scenario}, time::SimTime};\n\
         pub fn run(s: &Scenario) -> &'static str { let _ = queue::Queue; r#\"crate::trace::x { println!() }\"# }\n\
         #[cfg(test)]\n\
         mod tests {\n    use crate::trace::Reader;\n    #[test]\n    fn t() { println!(\"{}\", '{'); }\n}\n",
    ),
    ("engine/queue.rs", "use crate::time::SimTime;\npub struct Queue;\n"),
    ("scenario/mod.rs", "mod spec;\npub use spec::Scenario;\n"),
    ("scenario/spec.rs", "pub struct Scenario { pub start: crate::time::SimTime }\n"),
    ("time.rs", "pub struct SimTime(pub u64);\n"),
    ("trace/mod.rs", "use crate::engine;\npub struct Reader;\nfn f() { let _ = std::fs::read(\"t\"); }\n"),
];

fn with(changes: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut files = sources(CLEAN);
    files.extend(sources(changes));
    files
}

#[test]
fn the_checker_passes_a_crate_that_keeps_the_rules() {
    assert_eq!(check(&sources(CLEAN), &[]), Vec::<String>::new());
}

#[test]
fn the_checker_names_an_upward_import_in_a_nested_group() {
    let problems =
        check(&with(&[("scenario/spec.rs", "use crate::{time, engine::{self, run}};\npub struct Scenario;\n")]), &[]);
    let upward: Vec<&String> = problems.iter().filter(|p| p.contains("a layer above")).collect();
    assert_eq!(upward.len(), 2, "{problems:#?}");
    assert!(upward[0].starts_with("scenario/spec.rs:1: `crate::engine`: `scenario` (scenario) imports from `engine`"));
    assert!(upward[1].starts_with("scenario/spec.rs:1: `crate::engine::run`:"), "{}", upward[1]);
    // engine -> scenario -> engine is also a cycle of modules.
    assert!(problems.iter().any(|p| p.starts_with("top-level modules import each other in a cycle")));
}

#[test]
fn the_checker_finds_a_cycle_between_modules_of_one_layer() {
    let problems = check(
        &with(&[
            ("lib.rs", "pub mod engine;\npub mod lesson;\npub mod scenario;\npub mod time;\npub mod trace;\n"),
            ("lesson/mod.rs", "pub fn f() { crate::trace::g() }\n"),
            ("trace/mod.rs", "use super::lesson::f;\npub fn g() {}\n"),
        ]),
        &[],
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("top-level modules import each other in a cycle"));
    assert!(problems[0].contains("lesson/mod.rs:1: `crate::trace::g` (trace/mod.rs)"), "{}", problems[0]);
    assert!(problems[0].contains("trace/mod.rs:1: `super::lesson::f` (lesson/mod.rs)"), "{}", problems[0]);
    assert!(problems[1].starts_with("files import each other in a cycle"));
}

#[test]
fn the_checker_finds_a_file_cycle_through_super_and_a_child_module() {
    let cycle = with(&[("engine/queue.rs", "use super::run;\npub struct Queue;\n")]);
    let problems = check(&cycle, &[]);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].contains("engine/mod.rs:4: `queue::Queue` (engine/queue.rs)"), "{}", problems[0]);
    assert!(problems[0].contains("engine/queue.rs:1: `super::run` (engine/mod.rs)"), "{}", problems[0]);
    // A glob of the parent is an import of it too; a child's own test module is not.
    let glob = with(&[("engine/queue.rs", "use super::*;\npub struct Queue;\n")]);
    assert!(check(&glob, &[])[0].contains("engine/queue.rs:1: `super::*` (engine/mod.rs)"));
    let in_test =
        with(&[("engine/queue.rs", "pub struct Queue;\n#[cfg(test)]\nmod tests { use super::super::run; }\n")]);
    assert_eq!(check(&in_test, &[]), Vec::<String>::new());
}

#[test]
fn the_checker_finds_printing_file_reading_and_the_clock_in_the_core_outside_tests() {
    let engine = "use std::{fs, io};\n\
                  pub fn run() {\n    println!(\"{:?}\", std::time::Instant::now());\n    \
                  let _ = std::fs::read(\"x\");\n}\n\
                  #[cfg(test)]\nfn debug() { dbg!(std::io::stdin()); }\n";
    let problems = check(&with(&[("engine/queue.rs", engine)]), &[]);
    let lines: Vec<&str> = problems.iter().map(|p| p.split(": `").next().unwrap()).collect();
    assert_eq!(lines, ["engine/queue.rs:1", "engine/queue.rs:3", "engine/queue.rs:3", "engine/queue.rs:4"]);
    assert!(problems[1].contains("`Instant`: `engine` reads the clock"), "{}", problems[1]);
    assert!(problems[2].contains("`println!`: `engine` prints"), "{}", problems[2]);
    assert!(problems[3].contains("`std::fs`: `engine` reads files"), "{}", problems[3]);
}

#[test]
fn exceptions_let_through_only_what_they_name_and_fail_once_stale() {
    let upward = with(&[("scenario/spec.rs", "pub struct Scenario { pub x: crate::engine::Run }\n")]);
    let allowed = [Exception::Import { name: "test", file: "scenario/spec.rs", import: "crate::engine::Run" }];
    assert_eq!(check(&upward, &allowed), Vec::<String>::new());
    let stale = check(&sources(CLEAN), &allowed);
    assert_eq!(stale.len(), 1);
    assert!(
        stale[0].starts_with("exception \"test\" (scenario/spec.rs importing `crate::engine::Run`) matches nothing")
    );
    let cycle = with(&[("engine/queue.rs", "use super::run;\npub struct Queue;\n")]);
    assert_eq!(check(&cycle, &[Exception::FileCycles { name: "test", module: "engine" }]), Vec::<String>::new());
    assert_eq!(check(&cycle, &[Exception::FileCycles { name: "test", module: "trace" }]).len(), 2);
}

#[test]
fn the_checker_refuses_a_module_in_no_layer() {
    let problems = check(
        &with(&[
            ("lib.rs", "pub mod engine;\npub mod gadget;\npub mod scenario;\npub mod time;\npub mod trace;\n"),
            ("gadget.rs", "use crate::time::SimTime;\n"),
        ]),
        &[],
    );
    assert_eq!(problems, ["gadget.rs:1: `crate::time::SimTime`: module `gadget` is in no layer: add it to LAYERS"]);
}

#[test]
fn the_binary_reaches_the_library_by_its_name() {
    let files = with(&[
        ("main.rs", "mod cli;\nfn main() { cli::run() }\n"),
        ("cli/mod.rs", "mod progress;\nuse cdnsim::engine::run;\npub fn run() { progress::bar(); }\n"),
        ("cli/progress.rs", "pub fn bar() { let _: cdnsim::time::SimTime; }\n"),
    ]);
    assert_eq!(check(&files, &[]), Vec::<String>::new());
    let tree = Tree::read(&files).unwrap();
    let found: Vec<(String, String, String)> = tree
        .imports()
        .into_iter()
        .filter(|i| i.from_module != "engine" && i.from_module != "scenario" && i.from_module != "trace")
        .map(|i| (format!("{}:{}", i.file, i.line), i.text, i.to_file))
        .collect();
    let expected = [
        ("cli/mod.rs:2", "cdnsim::engine::run", "engine/mod.rs"),
        ("cli/mod.rs:3", "progress::bar", "cli/progress.rs"),
        ("cli/progress.rs:1", "cdnsim::time::SimTime", "time.rs"),
        ("main.rs:2", "cli::run", "cli/mod.rs"),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(found, expected);
}

#[test]
fn comments_and_literals_hide_no_code_and_show_none() {
    let text = "/* outer /* inner */ crate::a */ let s = r#\"}\"#; let c = '}'; let q = '\\''; \
                fn f<'a>(x: &'a str) -> char { b'\"' as char } // crate::b\nlet t = \"\\\"{\";";
    let code = String::from_utf8(blank_comments_and_literals(text.as_bytes())).unwrap();
    assert_eq!(code.len(), text.len());
    assert!(!code.contains("crate"), "{code}");
    // Only the function's braces are left.
    assert_eq!((code.matches('{').count(), code.matches('}').count()), (1, 1), "{code}");
    assert!(code.contains("fn f<'a>(x: &'a str) -> char {"), "{code}");
    assert_eq!(code.lines().count(), 2);
}
