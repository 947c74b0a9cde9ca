//! Embeds every form under `forms/` (a `form.json` and its `sections/*.json`, in file-name order),
//! so that adding a form or a section needs no code change; likewise the training cases under
//! `data/training/`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn json_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    files.sort();
    Ok(files)
}

fn main() -> io::Result<()> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let forms = root.join("forms");
    println!("cargo:rerun-if-changed={}", forms.display());

    let mut dirs: Vec<PathBuf> = fs::read_dir(&forms)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("form.json").is_file())
        .collect();
    dirs.sort();

    // Each form folder holds its current version and, under `archive/v<N>/`, the earlier versions
    // that drafts, vault entries and handover bundles may still name: they are embedded too, so
    // that what was filled in with them still resumes and rebuilds with the questions it answered.
    let mut versions: Vec<(String, PathBuf, bool)> = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::other("form folder name is not UTF-8"))?
            .to_string();
        versions.push((name.clone(), dir.clone(), false));
        let archive = dir.join("archive");
        println!("cargo:rerun-if-changed={}", archive.display());
        let mut old: Vec<PathBuf> = match fs::read_dir(&archive) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("form.json").is_file())
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        old.sort();
        versions.extend(old.into_iter().map(|p| (name.clone(), p, true)));
    }

    let mut out = String::from("pub(crate) static EMBEDDED: &[EmbeddedForm] = &[\n");
    for (name, dir, archived) in &versions {
        println!("cargo:rerun-if-changed={}", dir.display());
        println!("cargo:rerun-if-changed={}", dir.join("sections").display());
        let label = match dir.strip_prefix(&forms) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => name.clone(),
        };
        out.push_str(&format!(
            "    EmbeddedForm {{ dir: {name:?}, archived: {archived}, form: include_str!({:?}), sections: &[\n",
            dir.join("form.json").display().to_string()
        ));
        for file in json_files(&dir.join("sections"))? {
            let file_name = file
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| io::Error::other("section file name is not UTF-8"))?;
            out.push_str(&format!(
                "        ({:?}, include_str!({:?})),\n",
                format!("{label}/sections/{file_name}"),
                file.display().to_string()
            ));
        }
        out.push_str("    ] },\n");
    }
    out.push_str("];\n");

    let training = root.join("data").join("training");
    println!("cargo:rerun-if-changed={}", training.display());
    out.push_str("pub(crate) static TRAINING: &[(&str, &str)] = &[\n");
    for file in json_files(&training)? {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::other("training file name is not UTF-8"))?;
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(io::Error::other)?);
    fs::write(out_dir.join("embedded_forms.rs"), out)
}
