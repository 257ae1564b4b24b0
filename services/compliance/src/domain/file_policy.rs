//! What an uploaded file may be. Councils open these files, so only document formats that cannot
//! run code in a browser or on a desktop are taken: PDF, PNG and JPEG, decided from the file's first
//! bytes with the `infer` crate and never from its name (an executable renamed ".pdf" is still an
//! executable). And how big it may be: the server counts bytes as they arrive and stops at the first
//! byte over the cap, so an oversized upload is never held in full. Hashing is done elsewhere.

use std::fmt;

/// How many of a file's first bytes to collect (or the whole file, if shorter) before deciding its
/// type: enough for every signature checked here, and for a markup file's opening lines.
pub const HEAD_LEN: usize = 1024;

const MIB: u64 = 1024 * 1024;
const ACCEPTED: &str = "only PDF, PNG and JPEG files are accepted, judged from the file's contents, not its name: \
                        save or scan the document as a PDF";

/// An accepted type of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
}

impl FileType {
    /// The media type stored and returned with the file.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Why a file's type was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusedFile {
    /// No bytes at all.
    Empty,
    /// A program: "Linux (ELF)", "Windows (EXE)", "macOS (Mach-O)".
    Executable(&'static str),
    /// A script that names its interpreter ("#!/bin/sh").
    Script,
    /// A web page.
    Html,
    /// An SVG drawing, which may carry scripts.
    Svg,
    /// Starts like an accepted type but its signature is not where the format puts it (a PDF must
    /// begin with "%PDF-"); such files are how one format hides inside another.
    Malformed(FileType),
    /// Anything else: its media type when recognised.
    Other(Option<&'static str>),
}

impl fmt::Display for RefusedFile {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => return formatter.write_str("the file is empty: upload a PDF, PNG or JPEG file"),
            Self::Executable(system) => write!(formatter, "the file is a {system} program, not a document")?,
            Self::Script => formatter.write_str("the file is a script (it starts with \"#!\"), not a document")?,
            Self::Html => formatter.write_str("the file is a web page (HTML), not a document")?,
            Self::Svg => formatter.write_str("the file is an SVG drawing, which can carry scripts")?,
            Self::Malformed(looks_like) => {
                let name = match looks_like {
                    FileType::Pdf => "PDF",
                    FileType::Png => "PNG",
                    FileType::Jpeg => "JPEG",
                };
                write!(formatter, "the file does not start as a {name} file must")?;
            }
            Self::Other(Some(media_type)) => write!(formatter, "the file is of type {media_type}")?,
            Self::Other(None) => formatter.write_str("the file's type is not recognised")?,
        }
        write!(formatter, ": {ACCEPTED}")
    }
}

impl std::error::Error for RefusedFile {}

/// The type of a file from its first bytes (at least [`HEAD_LEN`] of them, or the whole file if it
/// is shorter).
pub fn file_type(head: &[u8]) -> Result<FileType, RefusedFile> {
    if head.is_empty() {
        return Err(RefusedFile::Empty);
    }
    let found = infer::get(head);
    let accepted = match found.map(|found| found.mime_type()) {
        Some("application/pdf") => Some(FileType::Pdf),
        Some("image/png") => Some(FileType::Png),
        Some("image/jpeg") => Some(FileType::Jpeg),
        _ => None,
    };
    match accepted {
        Some(file_type) if starts_as(file_type, head) => Ok(file_type),
        // `infer` finds "%PDF" anywhere in the first kilobyte, so a web page can pass for a PDF.
        Some(file_type) => Err(unaccepted(head, None).unwrap_or(RefusedFile::Malformed(file_type))),
        None => Err(unaccepted(head, found).unwrap_or(RefusedFile::Other(found.map(|found| found.mime_type())))),
    }
}

/// Whether the file begins with its format's whole signature, at the very start.
fn starts_as(file_type: FileType, head: &[u8]) -> bool {
    match file_type {
        FileType::Pdf => head.starts_with(b"%PDF-"),
        FileType::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        FileType::Jpeg => head.starts_with(b"\xFF\xD8\xFF"),
    }
}

/// What a refused file is, when it is one of the dangerous kinds worth naming.
fn unaccepted(head: &[u8], found: Option<infer::Type>) -> Option<RefusedFile> {
    let media_type = found.map(|found| found.mime_type());
    let program = match media_type {
        Some("application/x-executable") => Some("Linux (ELF)"),
        Some("application/vnd.microsoft.portable-executable") => Some("Windows (EXE)"),
        Some("application/x-mach-binary") => Some("macOS (Mach-O)"),
        // `infer` wants a whole ELF header; a cut-down one is still a program.
        _ if head.starts_with(b"\x7FELF") => Some("Linux (ELF)"),
        _ => None,
    };
    if let Some(program) = program {
        return Some(RefusedFile::Executable(program));
    }
    if head.starts_with(b"#!") {
        return Some(RefusedFile::Script);
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(HEAD_LEN)]).to_ascii_lowercase();
    let is_html = media_type == Some("text/html");
    if text.contains("<svg") && !is_html {
        return Some(RefusedFile::Svg);
    }
    if is_html || ["<html", "<script", "<!doctype html"].iter().any(|tag| text.contains(tag)) {
        return Some(RefusedFile::Html);
    }
    None
}

/// The most bytes one upload may have, and how many have arrived so far. A fresh one is made for
/// each upload from the configured cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    cap: u64,
    received: u64,
}

impl SizeLimit {
    /// 20 MiB: a scanned certificate or a long policy fits with room to spare.
    pub const DEFAULT_CAP: u64 = 20 * MIB;

    /// A limit of `cap` bytes with nothing received yet.
    pub fn new(cap: u64) -> Self {
        Self { cap, received: 0 }
    }

    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// The bytes accepted so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Refuses a declared size over the cap before any bytes are read.
    pub fn check_declared(&self, size: u64) -> Result<(), TooLarge> {
        if size > self.cap { Err(TooLarge { cap: self.cap }) } else { Ok(()) }
    }

    /// Counts the next chunk of `len` bytes, or refuses it if it takes the file past the cap (the
    /// refused chunk is not counted: the upload is to stop there).
    pub fn accept_chunk(&mut self, len: usize) -> Result<(), TooLarge> {
        let total = u64::try_from(len).ok().and_then(|len| self.received.checked_add(len));
        match total {
            Some(total) if total <= self.cap => {
                self.received = total;
                Ok(())
            }
            _ => Err(TooLarge { cap: self.cap }),
        }
    }
}

impl Default for SizeLimit {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAP)
    }
}

/// A file past the size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    pub cap: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cap = match self.cap {
            cap if cap > 0 && cap.is_multiple_of(MIB) => format!("{} MiB", cap / MIB),
            cap if cap > 0 && cap.is_multiple_of(1024) => format!("{} KiB", cap / 1024),
            1 => "1 byte".to_owned(),
            cap => format!("{cap} bytes"),
        };
        write!(
            formatter,
            "the file is larger than the {cap} limit: upload a smaller file, for example a PDF scanned at a lower resolution"
        )
    }
}

impl std::error::Error for TooLarge {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The opening of a real PDF: header, binary-marker comment, first object.
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    /// A PNG signature and the start of its IHDR chunk.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02\x00\x00\x00";
    /// A JPEG start-of-image and JFIF APP0 segment.
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";

    /// A 64-bit little-endian ELF header, as at the start of any Linux program.
    fn elf() -> Vec<u8> {
        let mut header = b"\x7FELF\x02\x01\x01\x00".to_vec();
        header.resize(64, 0);
        header[16] = 2; // ET_EXEC
        header[18] = 0x3E; // x86-64
        header
    }

    /// The DOS stub every Windows program begins with.
    fn windows_exe() -> Vec<u8> {
        let mut header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
        header.resize(64, 0);
        header.extend_from_slice(b"This program cannot be run in DOS mode.\r\r\n$");
        header
    }

    #[test]
    fn pdf_png_and_jpeg_are_accepted() {
        let cases = [
            (PDF, FileType::Pdf, "application/pdf"),
            (PNG, FileType::Png, "image/png"),
            (JPEG, FileType::Jpeg, "image/jpeg"),
        ];
        for (bytes, expected, media_type) in cases {
            assert_eq!(file_type(bytes), Ok(expected), "{media_type}");
            assert_eq!(expected.media_type(), media_type);
        }
        assert_eq!(file_type(b"%PDF-1.4"), Ok(FileType::Pdf), "a short head is enough");
    }

    #[test]
    fn programs_scripts_and_markup_are_refused_whatever_they_are_called() {
        let mach_o = b"\xCF\xFA\xED\xFE\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00".to_vec();
        let html = b"<!DOCTYPE html>\n<html><body><script>steal()</script></body></html>".to_vec();
        let indented_html = b"\n  <html lang=\"en\"><p>hello</p></html>".to_vec();
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
            .to_vec();
        let bare_svg = b"<svg onload=\"alert(1)\" xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
        let html_hiding_a_pdf = b"<html><!-- %PDF-1.7 --><script>steal()</script></html>".to_vec();
        let cases = [
            (elf(), RefusedFile::Executable("Linux (ELF)")),
            (b"\x7FELF\x02\x01\x01".to_vec(), RefusedFile::Executable("Linux (ELF)")),
            (windows_exe(), RefusedFile::Executable("Windows (EXE)")),
            (mach_o, RefusedFile::Executable("macOS (Mach-O)")),
            (b"#!/bin/sh\nrm -rf ~\n".to_vec(), RefusedFile::Script),
            (b"#!/usr/bin/env python3\nprint('hi')\n".to_vec(), RefusedFile::Script),
            (html, RefusedFile::Html),
            (indented_html, RefusedFile::Html),
            (html_hiding_a_pdf, RefusedFile::Html),
            (svg, RefusedFile::Svg),
            (bare_svg, RefusedFile::Svg),
        ];
        for (bytes, expected) in cases {
            assert_eq!(file_type(&bytes), Err(expected), "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn anything_else_is_refused_too() {
        let mut pdf_after_junk = b"junk before the header\n".to_vec();
        pdf_after_junk.extend_from_slice(PDF);
        let cases = [
            (Vec::new(), RefusedFile::Empty),
            (pdf_after_junk, RefusedFile::Malformed(FileType::Pdf)),
            (b"\x89PNG".to_vec(), RefusedFile::Malformed(FileType::Png)),
            (b"GIF89a\x01\x00\x01\x00".to_vec(), RefusedFile::Other(Some("image/gif"))),
            (b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec(), RefusedFile::Other(Some("application/zip"))),
            (b"Our insurance certificate".to_vec(), RefusedFile::Other(None)),
            (vec![0; 100], RefusedFile::Other(None)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(file_type(&bytes), Err(expected), "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn refusals_say_which_types_are_accepted() {
        let refusals = [
            RefusedFile::Empty,
            RefusedFile::Executable("Windows (EXE)"),
            RefusedFile::Script,
            RefusedFile::Html,
            RefusedFile::Svg,
            RefusedFile::Malformed(FileType::Pdf),
            RefusedFile::Other(Some("image/gif")),
            RefusedFile::Other(None),
        ];
        for refusal in refusals {
            let message = refusal.to_string();
            assert!(message.contains("PDF, PNG") && message.contains("JPEG"), "{message}");
        }
        assert_eq!(RefusedFile::Empty.to_string(), "the file is empty: upload a PDF, PNG or JPEG file");
        assert!(
            RefusedFile::Executable("Windows (EXE)").to_string().starts_with("the file is a Windows (EXE) program")
        );
        assert!(RefusedFile::Other(Some("image/gif")).to_string().starts_with("the file is of type image/gif:"));
        assert!(RefusedFile::Other(None).to_string().contains("not its name"));
    }

    #[test]
    fn the_size_cap_is_exact() {
        let mut limit = SizeLimit::new(10);
        assert_eq!(limit.accept_chunk(4), Ok(()));
        assert_eq!(limit.accept_chunk(0), Ok(()), "an empty chunk adds nothing");
        assert_eq!(limit.accept_chunk(6), Ok(()), "exactly the cap");
        assert_eq!(limit.received(), 10);
        assert_eq!(limit.accept_chunk(1), Err(TooLarge { cap: 10 }), "one byte over");
        assert_eq!(limit.received(), 10, "the refused chunk is not counted");

        let mut limit = SizeLimit::new(10);
        assert_eq!(limit.accept_chunk(11), Err(TooLarge { cap: 10 }), "one chunk one byte over");
        assert_eq!(limit.accept_chunk(usize::MAX), Err(TooLarge { cap: 10 }));
        let mut huge = SizeLimit::new(u64::MAX);
        assert_eq!(huge.accept_chunk(usize::MAX), Ok(()));
        assert_eq!(huge.accept_chunk(usize::MAX), Err(TooLarge { cap: u64::MAX }), "no overflow");
    }

    #[test]
    fn the_default_cap_is_20_mib_and_a_declared_size_is_checked_up_front() {
        let mut limit = SizeLimit::default();
        assert_eq!(limit.cap(), 20 * 1024 * 1024);
        assert_eq!(limit.check_declared(20 * 1024 * 1024), Ok(()));
        assert_eq!(limit.check_declared(20 * 1024 * 1024 + 1), Err(TooLarge { cap: 20 * 1024 * 1024 }));
        for _ in 0..20 {
            assert_eq!(limit.accept_chunk(1024 * 1024), Ok(()));
        }
        assert!(limit.accept_chunk(1).is_err(), "one byte over 20 MiB");
    }

    #[test]
    fn too_large_names_the_cap() {
        let cases =
            [(20 * MIB, "20 MiB"), (512 * 1024, "512 KiB"), (1000, "1000 bytes"), (1, "1 byte"), (0, "0 bytes")];
        for (cap, written) in cases {
            let message = TooLarge { cap }.to_string();
            assert!(message.starts_with(&format!("the file is larger than the {written} limit:")), "{message}");
        }
    }
}
