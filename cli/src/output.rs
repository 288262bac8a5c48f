//! The two output forms: aligned tables and label/value lists for people, JSON for programs.

use std::io::{self, Write};

use serde::Serialize;

use crate::style::{Paint, Style};

/// One cell of a table or one value of a list, maybe colored.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    text: String,
    paint: Option<Paint>,
}

impl Cell {
    pub(crate) fn painted(text: impl Into<String>, paint: Paint) -> Self {
        Self { text: text.into(), paint: Some(paint) }
    }

    fn width(&self) -> usize {
        self.text.chars().count()
    }

    /// The text, colored, then padded to `width`.
    pub(crate) fn render_padded(&self, style: Style, width: usize) -> String {
        self.render(style, Some(width))
    }

    /// The text, colored, then padded to `width` when asked: the padding is computed on the
    /// plain text, so that escape codes never skew the columns, and is left uncolored.
    fn render(&self, style: Style, width: Option<usize>) -> String {
        let mut text = match self.paint {
            Some(paint) => style.paint(&self.text, paint),
            None => self.text.clone(),
        };
        if let Some(width) = width {
            text.extend(std::iter::repeat_n(' ', width.saturating_sub(self.width())));
        }
        text
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self { text, paint: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

/// Rows under a bold header, each column as wide as its widest cell.
#[derive(Debug)]
pub(crate) struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub(crate) fn new(headers: Vec<&'static str>) -> Self {
        Self { headers, rows: Vec::new() }
    }

    pub(crate) fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub(crate) fn write(&self, out: &mut dyn Write, style: Style) -> io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.width());
            }
        }

        let headers: Vec<Cell> =
            self.headers.iter().map(|h| Cell::painted(*h, Paint::Bold)).collect();
        for row in std::iter::once(&headers).chain(&self.rows) {
            let last = row.len().saturating_sub(1);
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                // The last column is not padded, so that lines carry no trailing blanks.
                .map(|(i, (cell, width))| cell.render(style, (i < last).then_some(*width)))
                .collect();
            writeln!(out, "{}", line.join("  "))?;
        }
        Ok(())
    }
}

/// Labels and values, one pair a line, the values aligned.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    rows: Vec<(String, Cell)>,
}

impl Fields {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a line.
    pub(crate) fn add(&mut self, label: &str, value: impl Into<Cell>) {
        self.rows.push((label.to_owned(), value.into()));
    }

    /// Adds a line when there is a value.
    pub(crate) fn add_opt(&mut self, label: &str, value: Option<impl Into<Cell>>) {
        if let Some(value) = value {
            self.add(label, value);
        }
    }

    pub(crate) fn write(&self, out: &mut dyn Write, style: Style, indent: usize) -> io::Result<()> {
        let width = self.rows.iter().map(|(l, _)| l.chars().count() + 1).max().unwrap_or(0);
        for (label, value) in &self.rows {
            let label = Cell::painted(format!("{label}:"), Paint::Bold).render(style, Some(width));
            writeln!(out, "{:indent$}{label}  {}", "", value.render(style, None))?;
        }
        Ok(())
    }
}

/// Writes `value` as indented JSON and a newline.
pub(crate) fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sorted(value)?)?;
    writeln!(out)
}

/// Writes `value` as JSON on one line, for streams of records.
pub(crate) fn write_json_line<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &sorted(value)?)?;
    writeln!(out)
}

/// `value` as a JSON tree, whose objects keep their keys sorted. Some fields of the API are
/// maps (a log record's `log_attributes`) that would otherwise come out in a different order
/// on every run, which makes output hard to compare and to test.
fn sorted<T: Serialize + ?Sized>(value: &T) -> io::Result<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Style {
        Style::stdout_with(false)
    }

    #[test]
    fn maps_come_out_sorted() {
        let map: std::collections::HashMap<String, u32> =
            (0..20).map(|i| (format!("key-{i:02}"), i)).collect();
        let mut out = Vec::new();
        write_json_line(&mut out, &map).unwrap();
        let text = String::from_utf8(out).unwrap();
        let keys: Vec<&str> = text.match_indices("key-").map(|(i, _)| &text[i..i + 6]).collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }

    #[test]
    fn tables_align_on_the_widest_cell() {
        let mut table = Table::new(vec!["NAME", "STATE"]);
        table.row(vec!["a-long-name".into(), "on".into()]);
        table.row(vec!["b".into(), Cell::painted("off", Paint::Red)]);
        let mut out = Vec::new();
        table.write(&mut out, plain()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "NAME         STATE\na-long-name  on\nb            off\n"
        );
    }

    #[test]
    fn fields_align_their_values() {
        let mut fields = Fields::new();
        fields.add("Name", "x");
        fields.add_opt("Service ID", Some("svc"));
        fields.add_opt("Missing", None::<&str>);
        let mut out = Vec::new();
        fields.write(&mut out, plain(), 2).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "  Name:        x\n  Service ID:  svc\n");
    }
}
