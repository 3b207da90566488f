//! Parquet copies of a folder's CSV tables (`--parquet`, or `socsim parquet DIR`): each
//! `NAME.csv` socsim wrote gets a `NAME.parquet` beside it with the same columns, rows and
//! values, typed.
//!
//! A column's type is the one `datapackage.json` declares for it where the folder has one (a
//! run folder), otherwise the one its cells show (the rule of [`super::datapackage`]): whole
//! numbers are `INT64` (`UINT_64` when a value is above 2^63 − 1, as seeds can be), other
//! numbers `DOUBLE`, `true`/`false` `BOOLEAN`, anything else a UTF-8 string. Every column is
//! optional: an empty cell is a null. Snappy-compressed, in row groups of up to 2^20 rows;
//! the bytes depend on the CSV alone, so a deterministic CSV gives a deterministic file.

use super::write_atomic;
use crate::error::{Error, Result};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows in one row group at most.
const ROW_GROUP: usize = 1 << 20;

/// The Parquet type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Signed,
    Unsigned,
    Double,
    Bool,
    Text,
}

impl Kind {
    /// From a Table Schema type name and the column's cells (which decide between signed
    /// and unsigned integers, and fall back to text where a cell does not parse).
    fn of(declared: &str, cells: &[&str]) -> Kind {
        let filled = || cells.iter().filter(|c| !c.is_empty());
        let kind = match declared {
            "integer" if filled().all(|c| c.parse::<i64>().is_ok()) => Kind::Signed,
            "integer" if filled().all(|c| c.parse::<u64>().is_ok()) => Kind::Unsigned,
            "number" => Kind::Double,
            "boolean" => Kind::Bool,
            _ => Kind::Text,
        };
        let parses = match kind {
            Kind::Double => filled().all(|c| c.parse::<f64>().is_ok()),
            Kind::Bool => filled().all(|c| *c == "true" || *c == "false"),
            _ => true,
        };
        if parses { kind } else { Kind::Text }
    }

    fn field(self, name: &str) -> Result<Arc<Type>> {
        let (physical, logical) = match self {
            Kind::Signed => (Physical::INT64, None),
            Kind::Unsigned => (Physical::INT64, Some(LogicalType::integer(64, false))),
            Kind::Double => (Physical::DOUBLE, None),
            Kind::Bool => (Physical::BOOLEAN, None),
            Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        };
        Type::primitive_type_builder(name, physical)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(logical)
            .build()
            .map(Arc::new)
            .map_err(|e| Error::Run(format!("Parquet column {name:?}: {e}")))
    }
}

/// The Table Schema types `datapackage.json` in `dir` declares for the columns of `file`, by
/// column name (empty when there is no such resource).
fn declared(dir: &Path, file: &str) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join("datapackage.json")) else {
        return Vec::new();
    };
    let Ok(package) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let resources = package["resources"].as_array().cloned().unwrap_or_default();
    resources
        .iter()
        .find(|r| r["path"] == file)
        .and_then(|r| r["schema"]["fields"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_string(),
                f["type"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The Parquet bytes of CSV `text` (a header line, then rows), with the declared Table Schema
/// types of some columns (by name; the others are inferred from their cells). `place` names
/// the table in errors.
pub fn from_csv(text: &[u8], declared: &[(String, String)], place: &str) -> Result<Vec<u8>> {
    let bad = |e: &dyn std::fmt::Display| Error::Run(format!("{place}: {e}"));
    let mut reader = csv::Reader::from_reader(text);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(&e))?
        .iter()
        .map(String::from)
        .collect();
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record.map_err(|e| bad(&e))?;
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            column.push(cell.to_string());
        }
    }
    let rows = columns.first().map_or(0, Vec::len);
    let kinds: Vec<Kind> = header
        .iter()
        .zip(&columns)
        .map(|(name, cells)| {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            let ty = declared
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.as_str())
                .unwrap_or_else(|| super::datapackage::inferred(&cells));
            Kind::of(ty, &cells)
        })
        .collect();
    let fields = header
        .iter()
        .zip(&kinds)
        .map(|(name, kind)| kind.field(name))
        .collect::<Result<Vec<_>>>()?;
    let schema = Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map_err(|e| bad(&e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("socsim {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(properties))
        .map_err(|e| bad(&e))?;
    let mut start = 0;
    while start < rows || (rows == 0 && start == 0) {
        let end = (start + ROW_GROUP).min(rows);
        let mut group = writer.next_row_group().map_err(|e| bad(&e))?;
        for (cells, kind) in columns.iter().zip(&kinds) {
            let cells = &cells[start..end];
            let levels: Vec<i16> = cells.iter().map(|c| i16::from(!c.is_empty())).collect();
            let filled = cells.iter().filter(|c| !c.is_empty());
            let mut column = group
                .next_column()
                .map_err(|e| bad(&e))?
                .expect("one column writer a field");
            let written = match kind {
                Kind::Signed => {
                    let v: Vec<i64> = filled.map(|c| c.parse().expect("checked")).collect();
                    column
                        .typed::<Int64Type>()
                        .write_batch(&v, Some(&levels), None)
                }
                Kind::Unsigned => {
                    // UINT_64 is stored in INT64's bits.
                    let v: Vec<i64> = filled
                        .map(|c| c.parse::<u64>().expect("checked") as i64)
                        .collect();
                    column
                        .typed::<Int64Type>()
                        .write_batch(&v, Some(&levels), None)
                }
                Kind::Double => {
                    let v: Vec<f64> = filled.map(|c| c.parse().expect("checked")).collect();
                    column
                        .typed::<DoubleType>()
                        .write_batch(&v, Some(&levels), None)
                }
                Kind::Bool => {
                    let v: Vec<bool> = filled.map(|c| c == "true").collect();
                    column
                        .typed::<BoolType>()
                        .write_batch(&v, Some(&levels), None)
                }
                Kind::Text => {
                    let v: Vec<ByteArray> = filled.map(|c| ByteArray::from(c.as_str())).collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&v, Some(&levels), None)
                }
            };
            written.map_err(|e| bad(&e))?;
            column.close().map_err(|e| bad(&e))?;
        }
        group.close().map_err(|e| bad(&e))?;
        if end == rows {
            break;
        }
        start = end;
    }
    writer.into_inner().map_err(|e| bad(&e))
}

/// The `.parquet` sibling of a `.csv` file name.
pub fn sibling(csv_name: &str) -> String {
    format!("{}.parquet", csv_name.trim_end_matches(".csv"))
}

/// Writes `NAME.parquet` beside each `NAME.csv` of `files` in `dir` that exists, atomically;
/// returns the paths written.
pub fn write_tables(dir: &Path, files: &[&str]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for file in files.iter().filter(|f| f.ends_with(".csv")) {
        let path = dir.join(file);
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let bytes = from_csv(&text, &declared(dir, file), &path.display().to_string())?;
        let target = dir.join(sibling(file));
        write_atomic(&target, &bytes)?;
        written.push(target);
    }
    Ok(written)
}

/// Removes the `.parquet` sibling of each of `files` in `dir`, for a table about to be written
/// again without one (so that no Parquet file is left that no longer matches its CSV).
pub fn remove_stale(dir: &Path, files: &[&str]) -> Result<()> {
    for file in files.iter().filter(|f| f.ends_with(".csv")) {
        let target = dir.join(sibling(file));
        match std::fs::remove_file(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Run(format!("{}: {e}", target.display()))),
        }
    }
    Ok(())
}

/// Adds Parquet copies of the CSV tables the marker of socsim's folder `dir` lists, and lists
/// them in the marker; returns the paths written.
pub fn add_to_folder(dir: &Path) -> Result<Vec<PathBuf>> {
    let marker = super::Marker::read(dir).ok_or_else(|| {
        Error::input(
            dir.display().to_string(),
            "is not a folder socsim wrote (it has no .socsim-output marker)",
        )
    })?;
    let mut tables: Vec<String> = marker
        .files
        .iter()
        .filter(|f| f.ends_with(".csv"))
        .cloned()
        .collect();
    // A sweep's marker lists its fixed files; its assembled tables are these.
    for extra in ["runs.csv", "runs_manifest.csv", "daily_long.csv"] {
        if dir.join(extra).is_file() && !tables.iter().any(|t| t == extra) {
            tables.push(extra.to_string());
        }
    }
    let names: Vec<&str> = tables.iter().map(String::as_str).collect();
    let written = write_tables(dir, &names)?;
    for path in &written {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        super::list_in_marker(dir, name)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    /// The cells of a Parquet file as CSV would write them (a null empty).
    fn cells(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<String>>) {
        let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        let names = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let rows = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| {
                row.unwrap()
                    .get_column_iter()
                    .map(|(_, f)| match f {
                        Field::Null => String::new(),
                        Field::Bool(b) => b.to_string(),
                        Field::Long(x) => x.to_string(),
                        Field::ULong(x) => x.to_string(),
                        Field::Double(x) => format!("{x:?}"),
                        Field::Str(s) => s.clone(),
                        other => panic!("unexpected field {other:?}"),
                    })
                    .collect()
            })
            .collect();
        (names, rows)
    }

    // Exact: every cell reads back as written, with its type (a seed above 2^63 as UINT_64,
    // an empty cell as null, a declared number written without a point as a double).
    #[test]
    fn round_trip() {
        let text = "run_id,seed,n,x,flag,note\n\
                    a,18446744073709551615,3,0.5,true,\n\
                    b,7,,1e-7,false,\"x, y\"\n";
        let declared = vec![("n".to_string(), "integer".to_string())];
        let (names, rows) = cells(from_csv(text.as_bytes(), &declared, "t").unwrap());
        assert_eq!(names, ["run_id", "seed", "n", "x", "flag", "note"]);
        assert_eq!(
            rows,
            vec![
                vec!["a", "18446744073709551615", "3", "0.5", "true", ""],
                vec!["b", "7", "", "1e-7", "false", "x, y"],
            ]
        );
        // A header alone is a file of no rows.
        let (names, rows) = cells(from_csv(b"a,b\n", &[], "t").unwrap());
        assert_eq!((names.len(), rows.len()), (2, 0));
        // Deterministic bytes.
        assert_eq!(
            from_csv(text.as_bytes(), &declared, "t").unwrap(),
            from_csv(text.as_bytes(), &declared, "t").unwrap()
        );
    }
}
