// The command line is read by the flag parser shared with every Skiff process (@skiff/flags).
export * from "@skiff/flags";
