import { Cli, Command, Option } from 'clipanion';
import { commandShape, findRepeatedOption, rejectRepeatedOptions } from './repeated-options';

class Demo extends Command {
  static override paths = [['demo']];
  probe = Option.Array('-p,--probe', []);
  collectors = Option.String('-c,--collectors', 'auto');
  cmd = Option.String('--cmd');
  out = Option.String('-o,--out', { tolerateBoolean: true });
  print = Option.Boolean('--print', false);
  link = Option.Boolean('-e', false);
  utc = Option.Boolean('-u', false);
  input = Option.String({ required: false });
  async execute() {
    return 0;
  }
}

class WithRest extends Command {
  static override paths = [['script']];
  verbose = Option.Boolean('-v', false);
  args = Option.Rest();
  async execute() {
    return 0;
  }
}

function check(args: string[]): void {
  const cli = new Cli();
  cli.register(Demo);
  cli.register(WithRest);
  const command = cli.process(args);
  rejectRepeatedOptions(args.slice(1), command);
}

describe('commandShape', () => {
  it('reads names and arities from the option descriptors', () => {
    const shape = commandShape(Demo);
    expect(shape.hasRest).toBe(false);
    expect(shape.options).toEqual([
      { key: 'probe', names: ['-p', '--probe'], arity: 1 },
      { key: 'collectors', names: ['-c', '--collectors'], arity: 1 },
      { key: 'cmd', names: ['--cmd'], arity: 1 },
      { key: 'out', names: ['-o', '--out'], arity: 0 },
      { key: 'print', names: ['--print'], arity: 0 },
      { key: 'link', names: ['-e'], arity: 0 },
      { key: 'utc', names: ['-u'], arity: 0 },
    ]);
    expect(commandShape(WithRest).hasRest).toBe(true);
  });
});

describe('repeated options', () => {
  it('lets list options accumulate', () => {
    expect(() => check(['demo', '-p', 'a', '--probe', 'b', '-p=c'])).not.toThrow();
  });

  it.each([
    [['demo', '--cmd', 'a', '--cmd', 'b'], '--cmd'],
    [['demo', '-c', 'skb', '--collectors', 'dev'], '--collectors'],
    [['demo', '--print', '--print'], '--print'],
    [['demo', '--print', '--no-print'], '--print'],
    [['demo', '-o', '--out=f'], '--out'],
    [['demo', '--cmd=a', '--cmd', 'b'], '--cmd'],
    [['demo', '-eu', '-e'], '-e'],
  ])('refuses %j', (args, name) => {
    expect(() => check(args)).toThrow(`the argument '${name}' cannot be used multiple times`);
  });

  it('counts names, not values that look like them', () => {
    // `--cmd` takes the word after it, even the name of another option's value.
    expect(() => check(['demo', '--cmd', 'ping', '-c', 'skb', 'positional'])).not.toThrow();
    // After `--`, `--cmd` is the positional argument.
    expect(() => check(['demo', '--cmd', 'x', '--', '--cmd'])).not.toThrow();
  });

  it('leaves commands with rest arguments alone', () => {
    expect(() => check(['script', '-v', 'x', '-v'])).not.toThrow();
  });

  it('finds nothing in an argv without repeats', () => {
    expect(findRepeatedOption(['--cmd', 'a', '--print', '-e'], commandShape(Demo), () => false)).toBeUndefined();
  });
});
