"""Excel doors to a case bundle: the standard's data collection workbook, its template and its import."""
