"""Writers of the shapes offices keep their realization in, from the same months as monthly workbooks.

Each module writes one layout of INPUTS.md §1b from a year's monthly ``RealizationWorkbook``s (as
read from the sample's monthly files): a year workbook with a sheet per month, the months side by side
on one sheet, funding-source sections, an anggaran kas workbook. ``sakip sample --layouts`` writes a
small example of each; tests and the year-workbook benchmark write the same data as monthly files and
as each layout and compare what the warehouse and the report make of both.
"""
