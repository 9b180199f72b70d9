// Where a command writes: stdout (awaited, so a long answer streams without piling up in memory)
// and stderr, one line at a time. Its own module so that every command can take it without
// importing another command.
export interface CommandOutput {
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
}
