// @skiff/cli: the skiff command line (bin: dist/main.js). Table builders live in @skiff/printers.
export { renderTable, tableFor } from "@skiff/printers";
