"""What sakip writes around the report's tables: the Ikhtisar Eksekutif, the sistematika of BAB I,
the program list of II.A and the opening of II.B, the sentences that lead into the tables of
chapter III, and the opening and closing words of chapter IV.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from tasks.core.formatting import amount_text as rp
from tasks.report.model import TERMS
from tasks.report.render.wording import ITEM, all_of, number_word, pct, value_text


def ikhtisar_paragraphs(
    pk: pd.DataFrame | None,
    efficiency: pd.DataFrame | None,
    lines: pd.DataFrame | None,
    agency: str,
    year: int,
) -> list[str]:
    """The Ikhtisar Eksekutif: what the report is, the capaian of the sasaran (Table 3.1) with the best
    and weakest result, the budget and its serapan with the best and weakest program (Table 3.6), and
    the efficiency of the sasaran (Table 3.4)."""
    paragraphs = [
        f"{TERMS['lkjip']} {agency} Tahun {year} merupakan wujud pertanggungjawaban atas pelaksanaan "
        f"Perjanjian Kinerja Tahun {year} dalam mencapai tujuan dan sasaran strategis yang ditetapkan "
        "dalam Rencana Strategis, sebagaimana diamanatkan Peraturan Presiden Nomor 29 Tahun 2014 tentang "
        "Sistem Akuntabilitas Kinerja Instansi Pemerintah."
    ]
    known = pk.dropna(subset=["capaian"]) if pk is not None else None
    if known is not None and not known.empty:
        categories = Counter(str(k) for k in known["kategori"] if isinstance(k, str) and k)
        total = len(known)
        if len(categories) == 1:
            (label,) = categories
            level = f"{all_of(total, 'indikator kinerja sasaran')} mencapai kategori {label}"
        else:
            level = "; ".join(f"{number_word(n)} berkategori {label}" for label, n in categories.items())
            level = f"dari {number_word(total)} indikator kinerja sasaran, {level}"
        reached = int((known["capaian"] >= 100).sum())
        met = (
            "seluruhnya mencapai atau melampaui target"
            if reached == total
            else f"{number_word(reached)} di antaranya mencapai atau melampaui target"
        )
        paragraphs.append(
            f"Pengukuran kinerja atas Perjanjian Kinerja Tahun {year} menunjukkan bahwa {level}; {met}."
        )
        best = known.loc[known["capaian"].idxmax()]
        worst = known.loc[known["capaian"].idxmin()]
        if best.name != worst.name:
            paragraphs.append(
                f"Capaian tertinggi diraih indikator {best['indikator']} sebesar {pct(best['capaian'])} "
                f"(target {value_text(best['target'], best.get('satuan', ''))}, realisasi "
                f"{value_text(best['realisasi'], best.get('satuan', ''))}), sedangkan capaian terendah "
                f"pada indikator {worst['indikator']} sebesar {pct(worst['capaian'])} (target "
                f"{value_text(worst['target'], worst.get('satuan', ''))}, realisasi "
                f"{value_text(worst['realisasi'], worst.get('satuan', ''))})."
            )
    if lines is not None:
        total_line = lines[lines["level"] == "urusan"][["anggaran", "realisasi"]].sum()
        anggaran, realisasi = float(total_line["anggaran"]), float(total_line["realisasi"])
        if anggaran:
            text = (
                f"Dari alokasi anggaran belanja setelah perubahan sebesar {rp(anggaran)}, terealisasi "
                f"sebesar {rp(realisasi)} atau {TERMS['serapan'].lower()} {pct(realisasi / anggaran * 100)}, "
                f"sehingga terdapat {TERMS['sisa_anggaran']} sebesar {rp(anggaran - realisasi)}."
            )
            programs = lines[lines["level"] == "program"].dropna(subset=["serapan"])
            if len(programs) > 1:
                high = programs.loc[programs["serapan"].idxmax()]
                low = programs.loc[programs["serapan"].idxmin()]
                text += (
                    f" Serapan tertinggi pada {high['uraian']} ({pct(high['serapan'])}) dan terendah pada "
                    f"{low['uraian']} ({pct(low['serapan'])})."
                )
            paragraphs.append(text)
    if efficiency is not None:
        paragraphs += _efficiency_summary(efficiency)
    return paragraphs if len(paragraphs) > 1 else []


def _efficiency_summary(efficiency: pd.DataFrame) -> list[str]:
    """The Ikhtisar's sentence on Table 3.4: how many sasaran reach their target under their budget."""
    known = efficiency.dropna(subset=["capaian_kinerja", "serapan"])
    if known.empty:
        return []
    efficient = int((known["efisiensi"] == "Efisiensi").sum())
    if efficient == len(known):
        who = all_of(len(known), "sasaran")
    else:
        who = f"{number_word(efficient)} dari {number_word(len(known))} sasaran"
    return [
        f"Dari sisi efisiensi, {who} mencapai targetnya dengan serapan anggaran di bawah 100%, sehingga "
        "penggunaan anggarannya dinilai efisien."
    ]


def sistematika_paragraphs(agency: str, year: int) -> list[str]:
    """Section I.D: what each part of the report holds."""
    return [
        f"Sistematika penyajian {TERMS['lkjip']} {agency} Tahun {year} adalah sebagai berikut:",
        f"{ITEM}Ikhtisar Eksekutif: ringkasan capaian kinerja dan realisasi anggaran Tahun {year}.",
        f"{ITEM}BAB I Pendahuluan: gambaran umum perangkat daerah, tugas pokok dan fungsi, isu strategis "
        "serta sistematika penulisan.",
        f"{ITEM}BAB II Perencanaan Kinerja: tujuan dan sasaran Rencana Strategis, program, kegiatan dan "
        f"sub kegiatan, Indikator Kinerja Utama serta Perjanjian Kinerja Tahun {year}.",
        f"{ITEM}BAB III Akuntabilitas Kinerja: metode pengukuran, capaian kinerja organisasi, "
        f"{TERMS['analisis'].lower()} capaian kinerja tujuan dan sasaran serta akuntabilitas anggaran.",
        f"{ITEM}BAB IV Penutup: kesimpulan umum capaian kinerja serta langkah perbaikan ke depan.",
        f"{ITEM}Lampiran: Formulir Perjanjian Kinerja dan Penetapan Indikator Kinerja Utama.",
    ]


def program_list_paragraphs(lines: pd.DataFrame, agency: str, year: int) -> list[str]:
    """Section II.A.2: the programs of the budget tree, each with its budget, and how many kegiatan and
    sub kegiatan carry them."""
    programs = lines[lines["level"] == "program"].drop_duplicates("kode")
    if programs.empty:
        return []
    kegiatan = int((lines["level"] == "kegiatan").sum())
    subs = int((lines["level"] == "sub_kegiatan").sum())
    # a series of counts in one form: words when each is a word, digits otherwise (PUEBI)
    counts = [len(programs), kegiatan, subs] if kegiatan and subs else [len(programs)]
    words = [number_word(n) for n in counts]
    if any(word.isdigit() for word in words):
        words = [str(n) for n in counts]
    carried = (
        f", yang dijabarkan dalam {words[1]} kegiatan dan {words[2]} sub kegiatan" if len(words) > 1 else ""
    )
    return [
        f"Untuk mencapai tujuan dan sasaran tersebut, pada Tahun {year} {agency} melaksanakan "
        f"{words[0]} program{carried}, dengan anggaran setelah perubahan sebagai berikut:",
        *(f"{ITEM}{row.uraian}: {rp(row.anggaran)}" for row in programs.itertuples(index=False)),
    ]


def perjanjian_paragraphs(pk: pd.DataFrame | None, agency: str, year: int) -> list[str]:
    """Section II.B's opening: the IKU and the Perjanjian Kinerja the tables below hold."""
    if pk is None or pk.empty:
        return []
    return [
        f"Indikator Kinerja Utama (IKU) merupakan ukuran keberhasilan yang menggambarkan kinerja utama "
        f"{agency} sesuai dengan tugas dan fungsinya. Berdasarkan IKU tersebut, {agency} menetapkan "
        f"Perjanjian Kinerja Tahun {year} yang memuat {number_word(len(pk))} indikator kinerja sasaran "
        "strategis beserta targetnya, sebagaimana tersaji pada tabel berikut."
    ]


def table_openings(agency: str, year: int) -> dict[str, list[str]]:
    """The sentences that lead into Tables 3.1, 3.3, 3.4 and 3.5, by narrative section."""
    return {
        "pengantar_capaian": [
            f"Pengukuran kinerja dilakukan atas indikator kinerja sasaran yang tercantum dalam Perjanjian "
            f"Kinerja Tahun {year}; hasilnya tersaji dalam tabel berikut:"
        ],
        "pengantar_analisis": [
            "Keberhasilan dan kegagalan kinerja setiap sasaran dianalisis sebagaimana tersaji dalam tabel "
            "berikut:"
        ],
        "pengantar_efisiensi": [
            "Tingkat efisiensi penggunaan anggaran dinilai dengan membandingkan capaian kinerja setiap "
            "sasaran dengan serapan anggaran program yang mendukungnya:"
        ],
        "pengantar_tujuan_sasaran": [
            f"Hasil evaluasi dan {TERMS['analisis'].lower()} terhadap capaian kinerja tujuan dan sasaran "
            f"{agency} Tahun {year} adalah sebagai berikut:"
        ],
    }


def conclusion_opening(agency: str, year: int) -> list[str]:
    """Section IV.A's opening sentence."""
    return [
        f"Berdasarkan pengukuran capaian kinerja, kesimpulan umum capaian kinerja {agency} Tahun {year} "
        "adalah sebagai berikut:"
    ]


def closing_paragraphs(agency: str, year: int) -> list[str]:
    """The closing words of chapter IV, before the signature."""
    return [
        f"Demikian {TERMS['lkjip']} {agency} Tahun {year} ini disusun, semoga dapat menjadi bahan "
        "evaluasi dan pertimbangan bagi peningkatan kinerja pada tahun yang akan datang."
    ]
