"""The fields the readers look for: accepted column names of each field, month words, and the names
shown in messages.
"""

from __future__ import annotations

#: Rows searched for the table header (the header block is in the first 15 rows, the header below it).
HEADER_SEARCH_ROWS = 60
#: Rows above the table header searched for the header block (OPD, year, month).
META_SEARCH_ROWS = 30

MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

#: field -> accepted column names, normalised by ``normalize_label``.
REALIZATION_FIELDS: dict[str, tuple[str, ...]] = {
    "kode": ("Kode", "Kode Rekening", "Kode Rek"),
    "uraian": ("Uraian", "Program/Kegiatan/Sub Kegiatan", "Nama"),
    "anggaran_rp": ("Anggaran", "Pagu", "Pagu Anggaran", "Anggaran Setelah Perubahan", "Anggaran Perubahan"),
    "anggaran_murni_rp": ("Anggaran Murni", "Anggaran Sebelum Perubahan"),
    "realisasi_bulan_ini_rp": ("Realisasi Bulan Ini",),
    "realisasi_sd_bulan_ini_rp": (
        "Realisasi s.d. Bulan Ini",
        "Realisasi sd Bulan Ini",
        "Realisasi Kumulatif",
    ),
    "anggaran_kas_sd_bulan_ini_rp": ("Anggaran Kas s.d. Bulan Ini", "RAK s.d. Bulan Ini"),
    "fisik_pct": ("Realisasi Fisik", "Fisik (%)", "Fisik %", "Realisasi Fisik %"),
    "sumber_dana": ("Sumber Dana",),
}
REALIZATION_REQUIRED = ("kode", "uraian", "anggaran_rp")
REALIZATION_ONE_OF = ("realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp")
REALIZATION_AMOUNTS = (
    "anggaran_rp",
    "anggaran_murni_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
    "anggaran_kas_sd_bulan_ini_rp",
)

_TW = (("tw1", "I", "1"), ("tw2", "II", "2"), ("tw3", "III", "3"), ("tw4", "IV", "4"))
INDICATOR_FIELDS: dict[str, tuple[str, ...]] = {
    "jenis": ("Jenis",),
    "no": ("No", "Nomor"),
    "uraian": ("Uraian", "Tujuan/Sasaran", "Uraian Tujuan/Sasaran", "Tujuan", "Sasaran", "Sasaran Strategis"),
    "indikator": ("Indikator", "Indikator Kinerja", "Indikator Kinerja Utama"),
    "satuan": ("Satuan",),
    "arah": ("Arah",),
    "rumus_capaian": ("Rumus Capaian",),
    "target": ("Target",),
    "realisasi": ("Realisasi",),
    **{
        name: tuple(f"{prefix}{word} {num}" for prefix in ("", "Realisasi ") for word in ("TW", "Triwulan")
                    for num in (roman, digit))
        for name, roman, digit in _TW
    },
    "realisasi_tahun_lalu": ("Realisasi Tahun Lalu",),
    "target_akhir_renstra": ("Target Akhir Renstra",),
    "kode_program": ("Kode Program",),
    # optional texts of the IKU (Tabel 2.2) and of the analysis of Tabel 3.3
    "definisi_operasional": ("Definisi Operasional", "Uraian / Definisi Operasional", "Difinisi Operasional"),
    "formula": ("Formula", "Formula Penghitungan", "Formula Perhitungan", "Rumus"),
    "penanggung_jawab": ("Penanggung Jawab", "Penanggungjawab"),
    "sumber_data": ("Sumber Data",),
    "analisis_penyebab": (
        "Analisis Penyebab",
        "Analisis Keberhasilan / Kegagalan",
        "Analisis Keberhasilan / Kegagalan Kinerja",
    ),
    "solusi": ("Solusi",),
}  # fmt: skip
INDICATOR_REQUIRED = ("jenis", "no", "indikator", "target")
INDICATOR_ONE_OF = ("realisasi", "tw1", "tw2", "tw3", "tw4")
INDICATOR_NUMBERS = (
    "target",
    "realisasi",
    "tw1",
    "tw2",
    "tw3",
    "tw4",
    "realisasi_tahun_lalu",
    "target_akhir_renstra",
)

RENSTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "jenis": INDICATOR_FIELDS["jenis"],
    "no": INDICATOR_FIELDS["no"],
    "uraian": INDICATOR_FIELDS["uraian"],
    "indikator": INDICATOR_FIELDS["indikator"],
    "data_awal": ("Data Awal", "Kondisi Awal", "Baseline"),
}

#: human names of fields, for ``header.missing_column`` messages
COLUMN_TITLES: dict[str, str] = {
    "kode": "Kode",
    "uraian": "Uraian",
    "anggaran_rp": "Anggaran",
    "jenis": "Jenis",
    "no": "No",
    "indikator": "Indikator",
    "target": "Target",
    "realisasi": "Realisasi / TW I … TW IV",
    "renstra_target": "Target <tahun>",
}
