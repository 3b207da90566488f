//! A CSV file read whole, for the report: columns by name, as numbers or as text.

use crate::error::{Error, Result};
use std::path::Path;

pub struct Table {
    names: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads a CSV file with a header. An empty file is a table without rows.
    pub fn read(path: &Path) -> Result<Table> {
        let fail = |e: &dyn std::fmt::Display| {
            Error::input(path.display(), format!("cannot read the table: {e}"))
        };
        let mut reader = csv::Reader::from_path(path).map_err(|e| fail(&e))?;
        let names = reader
            .headers()
            .map_err(|e| fail(&e))?
            .iter()
            .map(String::from)
            .collect();
        let rows = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| fail(&e))?;
        Ok(Table { names, rows })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A column as numbers (`true`/`false` as 1/0; empty or other text as NaN); `None` when
    /// the table has no such column.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let k = self.index(name)?;
        Some(
            self.rows
                .iter()
                .map(|r| match r.get(k).unwrap_or("") {
                    "true" => 1.0,
                    "false" => 0.0,
                    v => v.parse().unwrap_or(f64::NAN),
                })
                .collect(),
        )
    }

    /// A column as text; `None` when the table has no such column.
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        let k = self.index(name)?;
        Some(
            self.rows
                .iter()
                .map(|r| r.get(k).unwrap_or("").to_string())
                .collect(),
        )
    }
}
