"""Vietnamese in and out: the one home for reading what people type (forms and imports alike),
printing numbers and dates, Vietnam's time zone and diacritic folding.

What a typed text means, decided once (tests/test_vn.py holds the table):
- Spaces never matter: '1 500 000' is 1500000.
- **Money and integers** (`read_money`, `read_int`): a dot or a comma followed by exactly three
  digits, in groups, marks thousands, whichever mark it is: '1.500.000', '1,500,000' and
  '1.500.000 đ' → 1500000; '1.500' and '1,500' → 1500. Otherwise a mark is a decimal mark and
  the fraction must be zero ('1500,00' → 1500); '1,5' is refused (no fraction of a đồng or
  of a person). Money may end in 'đ', 'đồng' or 'VND'.
- **Decimals** (area, km, days of labour, scores: `read_decimal`): the comma is the decimal
  mark, as Vietnamese writes it: '2,4' → 2.4; '1,5' → 1.5; '1,500' → 1.5. Dots in groups of
  three mark thousands: '1.500' → 1500, '1.234,5' → 1234.5. A dot otherwise is a decimal
  point, as a figure written the international way: '2.4' → 2.4, '2.45' → 2.45. With both
  marks, the last is the decimal one ('1,234.5' → 1234.5). So '1,500' is 1500 in a money field
  and 1.5 in a decimal one: in the field that allows fractions the Vietnamese comma wins.
- **Dates** (`read_date`): day first, always: '05/02/2021', '5/2/2021', '05.02.2021',
  '05-02-2021', ISO '2021-02-05', 'ngày 5 tháng 2 năm 2021' (marks optional) and a
  spreadsheet's date cell → 5 February 2021. A day not on the calendar (31/02) is refused.
- **Yes/no** (`read_bool`): có, x, đạt, đúng, yes, true, 1, a ticked box; không, chưa, sai, no,
  false, 0.
- **Code lists** (`read_choice`): the code or the Vietnamese label, marks and case ignored.
Each reader raises ValueError with a message for a clerk.

Printing: `print_number` (1.823; 126,8), `print_money` (71,66 tỷ đồng), `print_date`
(05/02/2021), `print_long_date` (ngày 05 tháng 02 năm 2021), times in Vietnam's zone
(`print_clock`, `print_moment`). Time: `TIMEZONE`, `today()` (Vietnam's date), `day_start`.
Text: `fold` ('Nguyễn Văn Đức' → 'nguyen van duc'), `sort_key`, `unprintable`, `printable`,
`visible` (no direction controls nor zero-width characters).
Only the standard library and Babel: the sheet reader's process imports this."""

from app.vn.read import (DATE_MESSAGE, read_bool, read_choice, read_date, read_decimal, read_int,
                         read_isodate, read_money, read_plain_number, read_text)
from app.vn.show import (TRIEU, TY, print_area, print_clock, print_date, print_long_date,
                         print_moment, print_money, print_money_short, print_number, print_percent)
from app.vn.text import fold, match_key, printable, sort_key, unprintable, visible
from app.vn.zone import TIMEZONE, day_start, today

__all__ = ["DATE_MESSAGE", "TIMEZONE", "TRIEU", "TY", "day_start", "fold", "match_key",
           "print_area", "print_clock", "print_date", "print_long_date", "print_moment",
           "print_money", "print_money_short", "print_number", "print_percent", "printable",
           "read_bool", "read_choice", "read_date", "read_decimal", "read_int", "read_isodate",
           "read_money", "read_plain_number", "read_text", "sort_key", "today", "unprintable", "visible"]
