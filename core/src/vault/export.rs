//! Exports: cases to IOM HTCDS v2.0 field names, and anonymised statistics with small-cell
//! suppression. (Filled in with the field mapping of core/data/htcds-v2.json.)
