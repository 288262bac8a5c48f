//! The surface users see, as snapshots: the facade's public items, the generated types with
//! the serde attributes that shape their JSON, and the operations of the generated client.
//!
//! The sources are parsed when the test runs, so a change to the spec or to the facade shows
//! up in a pull request as a snapshot diff, one line per item, without anyone listing items by
//! hand here. An item this file does not know how to print fails the test rather than going
//! missing from the snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Fields, FnArg, GenericArgument, ImplItem, Item, ItemEnum, ItemImpl, ItemStruct, Pat,
    PathArguments, Signature, Token, Type, UseTree, Visibility,
};

#[test]
fn facade() {
    insta::assert_snapshot!("facade", facade_surface());
}

#[test]
fn generated_types() {
    insta::assert_snapshot!("generated_types", generated_types_surface());
}

#[test]
fn generated_client() {
    insta::assert_snapshot!("generated_client", generated_client_surface());
}

// ---------------------------------------------------------------------------------------------
// Reading the sources

fn parse(relative: &str) -> syn::File {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {relative}: {e}"));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("cannot parse {relative}: {e}"))
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The text of the doc comments, one line per `///` line.
fn doc_text(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &nv.value
        {
            lines.push(text.value());
        }
    }
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Printing tokens as one line

/// How paths are printed: as written, or cut to their last segment (`::std::string::String`
/// becomes `String`), which is how the generated code is easiest to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Paths {
    AsWritten,
    Short,
}

/// Tokens as one line of Rust, spaced roughly as rustfmt spaces them.
///
/// `TokenStream`'s own `Display` puts a space between every two tokens
/// (`impl Into < String >`), which would make the snapshot hard to read.
fn tidy(tokens: &impl ToTokens, paths: Paths) -> String {
    let mut words = Vec::new();
    flatten(tokens.to_token_stream(), paths, &mut words);
    // A trailing comma, left where rustfmt split the source over lines (`Error<E>,>` once on
    // one line), says nothing about the surface.
    let closes = |next: Option<&String>| {
        next.is_none_or(|n| matches!(n.as_str(), ">" | ")" | "]" | "}" | "{"))
    };
    let mut line = String::new();
    let mut previous: Option<&str> = None;
    for (i, word) in words.iter().enumerate() {
        if word == "," && closes(words.get(i + 1)) {
            continue;
        }
        if previous.is_some_and(|p| space_between(p, word)) {
            line.push(' ');
        }
        line.push_str(word);
        previous = Some(word);
    }
    line
}

/// The tokens in order: groups opened and closed, runs of joint punctuation (`::`, `->`)
/// merged, lifetimes kept whole.
fn flatten(stream: TokenStream, paths: Paths, out: &mut Vec<String>) {
    let mut trees = stream.into_iter().peekable();
    let mut punct = String::new();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                if !open.is_empty() {
                    out.push(open.to_owned());
                }
                flatten(group.stream(), paths, out);
                if !close.is_empty() {
                    out.push(close.to_owned());
                }
            }
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                let Some(TokenTree::Ident(name)) = trees.next() else {
                    panic!("a quote that starts no lifetime")
                };
                out.push(format!("'{name}"));
            }
            TokenTree::Punct(p) => {
                punct.push(p.as_char());
                // A quote after `&` starts a lifetime, not a longer operator.
                let operator = match trees.peek() {
                    Some(TokenTree::Punct(next)) => next.as_char() != '\'',
                    _ => false,
                };
                let joint = p.spacing() == Spacing::Joint && operator;
                if !joint {
                    push_punct(std::mem::take(&mut punct), paths, out);
                }
            }
            TokenTree::Ident(ident) => out.push(ident.to_string()),
            TokenTree::Literal(literal) => out.push(literal.to_string()),
        }
    }
}

fn push_punct(punct: String, paths: Paths, out: &mut Vec<String>) {
    if paths == Paths::Short && punct == "::" {
        match out.last() {
            // `a::b`: drop `a`, keep going with `b`.
            Some(last) if is_word(last) => {
                out.pop();
                return;
            }
            // `<T as Trait>::Name` keeps its `::`.
            Some(last) if last == ">" => {}
            // A leading `::`, as in `::std::string::String`.
            _ => return,
        }
    }
    out.push(punct);
}

fn is_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"' || c == '\'')
}

fn space_between(previous: &str, next: &str) -> bool {
    if matches!(previous, "(" | "[" | "<" | "::" | "&" | "." | "#" | "!") {
        return false;
    }
    match next {
        ")" | "]" | "," | ";" | ":" | "." | ">" => false,
        // A global path (`: ::std`) keeps its space; `a::b` and `<T as X>::Y` do not.
        "::" => !(is_word(previous) || previous == ">"),
        // Generics hug their name, but not a keyword before a qualified path.
        "<" => !is_word(previous) || matches!(previous, "where" | "as" | "in"),
        "(" | "[" | "!" => !is_word(previous),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------------
// Items, the same way in both snapshots

/// `#[derive(...)]` sorted by last segment, `#[non_exhaustive]` and the container-level
/// `#[serde(...)]`, as a suffix of the item's line.
fn item_attrs(attrs: &[Attribute]) -> String {
    let mut derives = BTreeSet::new();
    let mut out = String::new();
    for attr in attrs {
        if attr.path().is_ident("derive") {
            let paths = attr
                .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .expect("a derive lists paths");
            for path in paths {
                derives
                    .insert(path.segments.last().expect("a path has segments").ident.to_string());
            }
        }
    }
    if !derives.is_empty() {
        let list: Vec<_> = derives.into_iter().collect();
        out.push_str(&format!(" #[derive({})]", list.join(", ")));
    }
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        out.push_str(" #[non_exhaustive]");
    }
    out.push_str(&serde_attrs(attrs));
    out
}

/// Every `#[serde(...)]` key, values kept: what decides the JSON a type reads and writes.
/// Paths in values are cut to their last two segments (`Option::is_none`).
fn serde_attrs(attrs: &[Attribute]) -> String {
    let mut keys = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let key = tidy(&meta.path, Paths::AsWritten);
            if meta.input.peek(Token![=]) {
                let value: syn::LitStr = meta.value()?.parse()?;
                let value = value.value();
                let segments: Vec<&str> = value.split("::").filter(|s| !s.is_empty()).collect();
                let short = segments[segments.len().saturating_sub(2)..].join("::");
                keys.push(format!("{key} = {short:?}"));
            } else {
                keys.push(key);
            }
            Ok(())
        })
        .expect("a serde attribute lists keys");
    }
    if keys.is_empty() { String::new() } else { format!(" #[serde({})]", keys.join(", ")) }
}

/// The fields of a variant or a tuple struct on one line: `(A, B)` or ` { a: A, b: B }`.
/// With `only_pub`, a private tuple field shows as `_` and private named fields are left out.
fn tuple_fields(fields: &Fields, paths: Paths, only_pub: bool) -> String {
    match fields {
        Fields::Unnamed(unnamed) => {
            let types: Vec<String> =
                unnamed
                    .unnamed
                    .iter()
                    .map(|f| {
                        if only_pub && !is_pub(&f.vis) {
                            "_".to_owned()
                        } else {
                            tidy(&f.ty, paths)
                        }
                    })
                    .collect();
            format!("({})", types.join(", "))
        }
        Fields::Named(named) if named.named.iter().any(|f| !only_pub || is_pub(&f.vis)) => {
            let names: Vec<String> = named
                .named
                .iter()
                .filter(|f| !only_pub || is_pub(&f.vis))
                .map(|f| format!("{}: {}", f.ident.as_ref().expect("named"), tidy(&f.ty, paths)))
                .collect();
            format!(" {{ {} }}", names.join(", "))
        }
        Fields::Named(_) | Fields::Unit => String::new(),
    }
}

fn struct_lines(item: &ItemStruct, path: &str, paths: Paths, only_pub: bool) -> Vec<String> {
    let generics = tidy(&item.generics, Paths::AsWritten);
    let mut head = format!("struct {path}{generics}");
    if let Fields::Unnamed(_) = item.fields {
        head.push_str(&tuple_fields(&item.fields, paths, only_pub));
    }
    head.push_str(&item_attrs(&item.attrs));
    let mut lines = vec![head];
    if let Fields::Named(named) = &item.fields {
        for field in named.named.iter().filter(|f| !only_pub || is_pub(&f.vis)) {
            let name = field.ident.as_ref().expect("a named field");
            let ty = tidy(&field.ty, paths);
            lines.push(format!("  {name}: {ty}{}", serde_attrs(&field.attrs)));
        }
    }
    lines
}

fn enum_lines(item: &ItemEnum, path: &str, paths: Paths) -> Vec<String> {
    let generics = tidy(&item.generics, Paths::AsWritten);
    let mut lines = vec![format!("enum {path}{generics}{}", item_attrs(&item.attrs))];
    for variant in &item.variants {
        let fields = tuple_fields(&variant.fields, paths, false);
        let discriminant = match &variant.discriminant {
            Some((_, expr)) => format!(" = {}", tidy(expr, Paths::AsWritten)),
            None => String::new(),
        };
        let attrs = serde_attrs(&variant.attrs);
        lines.push(format!("  {}{fields}{discriminant}{attrs}", variant.ident));
    }
    lines
}

/// A signature without its body: `async fn name<T>(&self, a: A) -> R where T: X`. By-value
/// `mut` on arguments is the function's business, not the caller's, and is left out.
fn signature(sig: &Signature, owner: Option<&str>, paths: Paths) -> String {
    let mut line = String::new();
    if sig.constness.is_some() {
        line.push_str("const ");
    }
    if sig.asyncness.is_some() {
        line.push_str("async ");
    }
    if sig.unsafety.is_some() {
        line.push_str("unsafe ");
    }
    line.push_str("fn ");
    if let Some(owner) = owner {
        line.push_str(owner);
        line.push_str("::");
    }
    line.push_str(&sig.ident.to_string());
    line.push_str(&tidy(&sig.generics, paths));
    let args: Vec<String> = sig
        .inputs
        .iter()
        .map(|arg| match arg {
            FnArg::Receiver(receiver) => match (&receiver.reference, &receiver.colon_token) {
                (Some((_, lifetime)), _) => {
                    let lifetime = lifetime.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
                    let mutability = if receiver.mutability.is_some() { "mut " } else { "" };
                    format!("&{lifetime}{mutability}self")
                }
                (None, Some(_)) => format!("self: {}", tidy(&receiver.ty, paths)),
                (None, None) => "self".to_owned(),
            },
            FnArg::Typed(typed) => {
                let name = match &*typed.pat {
                    Pat::Ident(ident) => ident.ident.to_string(),
                    other => tidy(other, paths),
                };
                format!("{name}: {}", tidy(&typed.ty, paths))
            }
        })
        .collect();
    line.push_str(&format!("({})", args.join(", ")));
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        line.push_str(" -> ");
        line.push_str(&tidy(ty, paths));
    }
    if let Some(clause) = &sig.generics.where_clause {
        line.push(' ');
        line.push_str(&tidy(clause, paths));
    }
    line
}

// ---------------------------------------------------------------------------------------------
// The facade

/// The sources of the facade crate, relative to the workspace.
const FACADE: &str = "sdk/src";

/// One module file of the facade: its items, and the argument-less `macro_rules!` it defines,
/// which it invokes inside `impl` blocks to share setters.
struct Module {
    items: Vec<Item>,
    macros: BTreeMap<String, Vec<ImplItem>>,
}

impl Module {
    fn read(name: &str) -> Module {
        let file = parse(&format!("{FACADE}/{name}.rs"));
        let mut macros = BTreeMap::new();
        for item in &file.items {
            if let Item::Macro(mac) = item
                && mac.mac.path.is_ident("macro_rules")
            {
                let name = mac.ident.as_ref().expect("macro_rules! has a name").to_string();
                let body = impl_items_of_macro
                    .parse2(mac.mac.tokens.clone())
                    .unwrap_or_else(|e| panic!("macro {name}! is not `() => {{ items }}`: {e}"));
                macros.insert(name, body);
            }
        }
        Module { items: file.items, macros }
    }

    fn find(&self, name: &str) -> Option<&Item> {
        self.items.iter().find(|item| item_name(item).as_deref() == Some(name))
    }

    /// The items of an `impl` block, macro invocations expanded.
    fn impl_items<'a>(&'a self, items: &'a [ImplItem], out: &mut Vec<&'a ImplItem>) {
        for item in items {
            match item {
                ImplItem::Macro(mac) => {
                    let name = mac.mac.path.get_ident().expect("a local macro").to_string();
                    let body = self.macros.get(&name).unwrap_or_else(|| {
                        panic!("{name}! is not an argument-less macro_rules! of its file")
                    });
                    self.impl_items(body, out);
                }
                other => out.push(other),
            }
        }
    }
}

/// `() => { items };` as the `impl` items it expands to.
fn impl_items_of_macro(input: ParseStream<'_>) -> syn::Result<Vec<ImplItem>> {
    let matcher;
    syn::parenthesized!(matcher in input);
    if !matcher.is_empty() {
        return Err(matcher.error("the macro takes arguments"));
    }
    input.parse::<Token![=>]>()?;
    let body;
    syn::braced!(body in input);
    input.parse::<Option<Token![;]>>()?;
    if !input.is_empty() {
        return Err(input.error("the macro has more than one rule"));
    }
    let mut items = Vec::new();
    while !body.is_empty() {
        items.push(body.parse()?);
    }
    Ok(items)
}

fn item_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Struct(i) if is_pub(&i.vis) => &i.ident,
        Item::Enum(i) if is_pub(&i.vis) => &i.ident,
        Item::Fn(i) if is_pub(&i.vis) => &i.sig.ident,
        Item::Const(i) if is_pub(&i.vis) => &i.ident,
        Item::Static(i) if is_pub(&i.vis) => &i.ident,
        Item::Type(i) if is_pub(&i.vis) => &i.ident,
        Item::Trait(i) if is_pub(&i.vis) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// The name of the type an `impl` block is for: `Paginated` for `impl<T> Stream for
/// Paginated<T>`.
fn impl_target(item: &ItemImpl) -> Option<String> {
    match &*item.self_ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `a::{b, c::d}` as `[a::b, a::c::d]`; a rename keeps its new name after ` as `.
fn flatten_use(tree: &UseTree, prefix: &str, out: &mut Vec<String>) {
    let join =
        |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}::{name}") };
    match tree {
        UseTree::Path(path) => flatten_use(&path.tree, &join(&path.ident.to_string()), out),
        UseTree::Name(name) => out.push(join(&name.ident.to_string())),
        UseTree::Rename(rename) => {
            out.push(format!("{} as {}", join(&rename.ident.to_string()), rename.rename))
        }
        UseTree::Glob(_) => out.push(join("*")),
        UseTree::Group(group) => group.items.iter().for_each(|t| flatten_use(t, prefix, out)),
    }
}

/// The lines of one public item, reachable as `path`, with the methods and the trait impls
/// of the type found in any module of the crate.
fn facade_item(item: &Item, path: &str, modules: &BTreeMap<String, Module>) -> Vec<String> {
    let mut lines = match item {
        Item::Struct(i) => struct_lines(i, path, Paths::AsWritten, true),
        Item::Enum(i) => enum_lines(i, path, Paths::AsWritten),
        Item::Fn(i) => {
            let module = path.rsplit_once("::").map(|(module, _)| module);
            vec![signature(&i.sig, module, Paths::AsWritten)]
        }
        Item::Const(i) => vec![format!(
            "const {path}: {} = {}",
            tidy(&i.ty, Paths::AsWritten),
            tidy(&i.expr, Paths::AsWritten)
        )],
        Item::Static(i) => vec![format!("static {path}: {}", tidy(&i.ty, Paths::AsWritten))],
        Item::Type(i) => vec![format!(
            "type {path}{} = {}",
            tidy(&i.generics, Paths::AsWritten),
            tidy(&i.ty, Paths::AsWritten)
        )],
        Item::Trait(i) => {
            let mut lines = vec![format!("trait {path}{}", item_attrs(&i.attrs))];
            for member in &i.items {
                if let syn::TraitItem::Fn(f) = member {
                    lines.push(format!("  {}", signature(&f.sig, None, Paths::AsWritten)));
                }
            }
            lines
        }
        other => panic!("{path}: no printer for {}", tidy(other, Paths::AsWritten)),
    };
    let name = path.rsplit("::").next().expect("a path has a last segment");
    if !matches!(item, Item::Struct(_) | Item::Enum(_)) {
        return lines;
    }

    let mut methods = Vec::new();
    let mut impls = Vec::new();
    for module in modules.values() {
        for candidate in &module.items {
            let Item::Impl(block) = candidate else { continue };
            if impl_target(block).as_deref() != Some(name) {
                continue;
            }
            let mut members = Vec::new();
            module.impl_items(&block.items, &mut members);
            match &block.trait_ {
                None => {
                    for member in members {
                        match member {
                            ImplItem::Fn(f) if is_pub(&f.vis) => methods.push((
                                f.sig.ident.to_string(),
                                signature(&f.sig, None, Paths::AsWritten),
                            )),
                            ImplItem::Const(c) if is_pub(&c.vis) => methods.push((
                                c.ident.to_string(),
                                format!("const {}: {}", c.ident, tidy(&c.ty, Paths::AsWritten)),
                            )),
                            _ => {}
                        }
                    }
                }
                Some((_, trait_path, _)) => {
                    let types: Vec<String> = members
                        .iter()
                        .filter_map(|m| match m {
                            ImplItem::Type(t) => Some(format!(
                                "type {} = {}",
                                t.ident,
                                tidy(&t.ty, Paths::AsWritten)
                            )),
                            _ => None,
                        })
                        .collect();
                    let types = if types.is_empty() {
                        String::new()
                    } else {
                        format!(" {{ {} }}", types.join("; "))
                    };
                    impls.push(format!(
                        "impl{} {} for {}{types}",
                        tidy(&block.generics, Paths::AsWritten),
                        tidy(trait_path, Paths::AsWritten),
                        tidy(&block.self_ty, Paths::AsWritten),
                    ));
                }
            }
        }
    }
    methods.sort();
    impls.sort();
    lines.extend(methods.into_iter().map(|(_, m)| format!("  {m}")));
    lines.extend(impls.into_iter().map(|i| format!("  {i}")));
    lines
}

fn facade_surface() -> String {
    let lib = parse(&format!("{FACADE}/lib.rs"));

    // The module files, and which of them are public.
    let mut modules = BTreeMap::new();
    let mut public_modules = BTreeSet::new();
    for item in &lib.items {
        if let Item::Mod(m) = item
            && m.content.is_none()
        {
            let name = m.ident.to_string();
            if is_pub(&m.vis) {
                public_modules.insert(name.clone());
            }
            modules.insert(name.clone(), Module::read(&name));
        }
    }

    // Every public path, with the item behind it or, for a re-export of another crate's items,
    // where it comes from.
    let mut blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |path: String, lines: Vec<String>| {
        assert!(blocks.insert(path.clone(), lines).is_none(), "{path} is exported twice");
    };
    for name in &public_modules {
        for item in &modules[name].items {
            if let Some(item_name) = item_name(item) {
                let path = format!("{name}::{item_name}");
                add(path.clone(), facade_item(item, &path, &modules));
            }
        }
    }
    for item in &lib.items {
        match item {
            Item::Use(u) if is_pub(&u.vis) => {
                let mut paths = Vec::new();
                flatten_use(&u.tree, "", &mut paths);
                for source in paths {
                    let (source, alias) = match source.split_once(" as ") {
                        Some((source, alias)) => (source.to_owned(), Some(alias.to_owned())),
                        None => (source, None),
                    };
                    let (module, name) = source.split_once("::").expect("a re-export has a path");
                    let exported =
                        alias.unwrap_or_else(|| name.rsplit("::").next().unwrap().into());
                    match modules.get(module) {
                        Some(file) if !name.contains("::") && name != "*" => {
                            let item = file
                                .find(name)
                                .unwrap_or_else(|| panic!("{source} is re-exported but not found"));
                            add(exported.clone(), facade_item(item, &exported, &modules));
                        }
                        Some(_) => panic!("no printer for the re-export {source}"),
                        None => add(exported.clone(), vec![format!("use {exported} = {source}")]),
                    }
                }
            }
            Item::Mod(m) if is_pub(&m.vis) && m.content.is_some() => {
                let mut lines = vec![format!("mod {}", m.ident)];
                for inner in &m.content.as_ref().expect("checked above").1 {
                    match inner {
                        Item::Use(u) if is_pub(&u.vis) => {
                            let mut paths = Vec::new();
                            flatten_use(&u.tree, "", &mut paths);
                            lines.extend(paths.into_iter().map(|p| format!("  use {p}")));
                        }
                        other => panic!(
                            "no printer for {} in mod {}",
                            tidy(other, Paths::AsWritten),
                            m.ident
                        ),
                    }
                }
                add(m.ident.to_string(), lines);
            }
            other => {
                if let Some(name) = item_name(other) {
                    add(name.clone(), facade_item(other, &name, &modules));
                }
            }
        }
    }

    blocks.into_values().flatten().collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------------------------------------
// The generated code

const GENERATED: &str = "sdk-gen/generated/client.rs";

fn find_mod<'a>(items: &'a [Item], name: &str) -> &'a [Item] {
    items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| &items[..]),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no inline mod {name}"))
}

/// The messages a newtype's `FromStr` refuses a value with: its length limits and pattern.
fn refusals(block: &ItemImpl) -> Vec<String> {
    let mut tokens = Vec::new();
    flatten(block.to_token_stream(), Paths::AsWritten, &mut tokens);
    tokens
        .windows(3)
        .filter(|w| w[0] == "Err" && w[1] == "(" && w[2].starts_with('"'))
        .map(|w| syn::parse_str::<syn::LitStr>(&w[2]).expect("a string literal").value())
        .collect()
}

fn generated_types_surface() -> String {
    let file = parse(GENERATED);
    let types = find_mod(&file.items, "types");

    let mut checks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in types {
        if let Item::Impl(block) = item {
            let from_str = block.trait_.as_ref().is_some_and(|(_, path, _)| {
                path.segments.last().is_some_and(|s| s.ident == "FromStr")
            });
            if from_str {
                let target = impl_target(block).expect("impl FromStr for a named type");
                checks.entry(target).or_default().extend(refusals(block));
            }
        }
    }

    let mut blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in types {
        match item {
            Item::Struct(s) if is_pub(&s.vis) => {
                let name = s.ident.to_string();
                let mut lines = struct_lines(s, &name, Paths::Short, false);
                for refusal in checks.get(&name).into_iter().flatten() {
                    lines.push(format!("  refuses: {refusal}"));
                }
                blocks.insert(name, lines);
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                blocks
                    .insert(e.ident.to_string(), enum_lines(e, &e.ident.to_string(), Paths::Short));
            }
            Item::Mod(m) if m.ident == "builder" || m.ident == "error" => {}
            Item::Mod(m) if m.ident == "defaults" => {
                for default in find_mod(types, "defaults") {
                    let Item::Fn(f) = default else { panic!("defaults holds functions only") };
                    let path = format!("defaults::{}", f.sig.ident);
                    let body = tidy(&f.block, Paths::Short);
                    let sig = signature(&f.sig, Some("defaults"), Paths::Short);
                    blocks.insert(path, vec![format!("{sig} {body}")]);
                }
            }
            Item::Impl(_) => {}
            other => panic!("no printer for {} in mod types", tidy(other, Paths::Short)),
        }
    }
    let mut out: Vec<String> = vec![format!("# {GENERATED}: mod types")];
    out.extend(blocks.into_values().flatten());

    // The enums that stand in for the spec's: known values, anything else kept as `Unknown`.
    out.push(String::new());
    out.push("# sdk-gen/src/enums.rs: every enum also has `Unknown(String)`".to_owned());
    for item in parse("sdk-gen/src/enums.rs").items {
        if let Item::Macro(mac) = item
            && mac.mac.path.is_ident("open_enum")
        {
            out.extend(open_enum.parse2(mac.mac.tokens).expect("open_enum! { Name { .. } }"));
        }
    }

    out.push(String::new());
    out.push("# sdk-gen/src/backend.rs".to_owned());
    for item in parse("sdk-gen/src/backend.rs").items {
        match &item {
            Item::Enum(e) if is_pub(&e.vis) => {
                out.extend(enum_lines(e, &e.ident.to_string(), Paths::Short));
            }
            Item::Struct(s) if is_pub(&s.vis) => {
                out.extend(struct_lines(s, &s.ident.to_string(), Paths::Short, true));
            }
            _ => {}
        }
    }
    out.join("\n")
}

/// `open_enum! { /// doc  Name { /// doc  Variant = "wire", ... } }` as lines.
fn open_enum(input: ParseStream<'_>) -> syn::Result<Vec<String>> {
    input.call(Attribute::parse_outer)?;
    let name: syn::Ident = input.parse()?;
    let body;
    syn::braced!(body in input);
    let mut lines = vec![format!("enum {name}")];
    while !body.is_empty() {
        body.call(Attribute::parse_outer)?;
        let variant: syn::Ident = body.parse()?;
        body.parse::<Token![=]>()?;
        let wire: syn::LitStr = body.parse()?;
        body.parse::<Token![,]>()?;
        lines.push(format!("  {variant} = {:?}", wire.value()));
    }
    Ok(lines)
}

/// The type inside `Result<T, String>`, how the generated builders hold each parameter.
fn held_type(ty: &Type) -> &Type {
    let Type::Path(path) = ty else { return ty };
    let Some(last) = path.path.segments.last() else { return ty };
    if last.ident != "Result" {
        return ty;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return ty };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) => inner,
        _ => ty,
    }
}

fn generated_client_surface() -> String {
    let file = parse(GENERATED);
    let builders = find_mod(&file.items, "builder");
    let mut out = vec![format!("# {GENERATED}: Client")];

    for item in &file.items {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() || impl_target(block).as_deref() != Some("Client") {
            continue;
        }
        for member in &block.items {
            let ImplItem::Fn(f) = member else { continue };
            if !is_pub(&f.vis) {
                continue;
            }
            let builder = match &f.sig.output {
                syn::ReturnType::Type(_, ty) => tidy(ty, Paths::Short),
                syn::ReturnType::Default => String::new(),
            };
            let builder = builder.split('<').next().unwrap_or_default().to_owned();
            let builder = builders.iter().find_map(|item| match item {
                Item::Struct(s) if s.ident == builder => Some(s),
                _ => None,
            });
            let Some(builder) = builder else {
                // Not an operation: a constructor.
                out.push(signature(&f.sig, None, Paths::AsWritten));
                continue;
            };

            // "Sends a `GET` request to `/v1/workflows/deployments`"
            let doc = doc_text(&f.attrs);
            let request = doc
                .split_once("Sends a `")
                .and_then(|(_, rest)| rest.split_once("` request to `"))
                .and_then(|(method, rest)| Some((method, rest.split_once('`')?.0)))
                .map(|(method, path)| format!("{method} {path}"))
                .unwrap_or_else(|| panic!("{}: no method and path in its docs", f.sig.ident));

            let send = builders.iter().find_map(|item| match item {
                Item::Impl(b) if impl_target(b).as_deref() == Some(&*builder.ident.to_string()) => {
                    b.items.iter().find_map(|m| match m {
                        ImplItem::Fn(send) if send.sig.ident == "send" => Some(send),
                        _ => None,
                    })
                }
                _ => None,
            });
            let answer = match send.map(|s| &s.sig.output) {
                Some(syn::ReturnType::Type(_, ty)) => tidy(ty, Paths::Short),
                _ => panic!("{}: no send", builder.ident),
            };
            out.push(format!("{}: {request} -> {answer}", f.sig.ident));
            for field in &builder.fields {
                let name = field.ident.as_ref().expect("a named field");
                if name == "client" {
                    continue;
                }
                out.push(format!("  {name}: {}", tidy(held_type(&field.ty), Paths::Short)));
            }
        }
    }
    out.join("\n")
}
