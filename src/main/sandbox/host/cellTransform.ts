// Turns one cell of model-written JavaScript into a script the sandbox can run as a REPL would:
// top-level `await` works, and top-level declarations (`const`, `let`, `var`, `function`,
// `class`) become globals that persist to later cells — including those made before a throw,
// since each becomes an assignment that runs in order. Redeclaring a name in a later cell is
// allowed, as in a notebook.
//
// SECURITY: `import(...)` is rewritten to an in-context function. Without it, the rejection of
// an unsupported dynamic import is a HOST error whose constructor chain reaches the host's
// Function (research/sandbox.md, E14).
import { parse, type Node } from 'acorn';

export type TransformResult = { ok: true; script: string } | { ok: false; error: string };

interface Edit {
  start: number;
  end: number;
  text: string;
}

type AnyNode = Node & Record<string, unknown>;

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** The name every cell's file gets in stack traces; the sandbox's trace formatter keeps only these. */
export function cellFileName(cellId: number): string {
  return `cell-${cellId}`;
}

export function transformCell(code: string, cellId: number): TransformResult {
  let program: AnyNode;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: false,
      allowHashBang: true,
    }) as unknown as AnyNode;
  } catch (error) {
    return { ok: false, error: `SyntaxError: ${(error as Error).message}` };
  }

  const edits: Edit[] = [];
  const globals = new Set<string>();
  const hoisted: string[] = [];
  const body = program.body as AnyNode[];

  for (const statement of body) {
    switch (statement.type) {
      case 'VariableDeclaration':
        liftDeclaration(statement, edits, globals, true);
        break;
      case 'FunctionDeclaration': {
        const name = (statement.id as AnyNode).name as string;
        globals.add(name);
        // The declaration stays where it is (hoisted inside the cell's body, line numbers
        // unchanged); its value is published as a global at the start of the body.
        hoisted.push(`__rlm_set(${JSON.stringify(name)}, ${name});`);
        break;
      }
      case 'ClassDeclaration': {
        const name = (statement.id as AnyNode).name as string;
        globals.add(name);
        edits.push({ start: statement.start, end: statement.start, text: `${name} = ` });
        edits.push({ start: statement.end, end: statement.end, text: ';' });
        break;
      }
      default:
        break;
    }
    // `var` inside top-level blocks and loops is function-scoped: lift it too.
    if (statement.type !== 'VariableDeclaration' && statement.type !== 'FunctionDeclaration') {
      visitNestedVars(statement, edits, globals);
    }
  }

  // Dynamic import anywhere in the cell.
  walk(program, (node) => {
    if (node.type === 'ImportExpression') {
      edits.push({ start: node.start, end: node.start + 'import'.length, text: '__rlm_import' });
    }
  });

  // The value of a last expression is shown, as in a notebook.
  const last = body[body.length - 1];
  if (last && last.type === 'ExpressionStatement' && !('directive' in last && last.directive)) {
    // The statement's range, not the expression's: acorn leaves the parentheses of `({ a: 1 })`
    // out of the expression, and `(return ({ a: 1 }))` does not parse. A trailing `;` stays out.
    const end = code[last.end - 1] === ';' ? last.end - 1 : last.end;
    edits.push({ start: last.start, end: last.start, text: 'return (' });
    edits.push({ start: end, end, text: ')' });
  }

  const transformed = applyEdits(code, edits);
  const declare = globals.size > 0 ? `var ${[...globals].join(', ')}; ` : '';
  // Everything added before the code stays on its first line, so line numbers in errors match
  // the code the model wrote.
  const script = `${declare}__rlm_cell(${cellId}, async () => { ${hoisted.join(' ')}${transformed}\n});`;
  return { ok: true, script };
}

function liftDeclaration(
  declaration: AnyNode,
  edits: Edit[],
  globals: Set<string>,
  topLevel: boolean,
): void {
  const kind = declaration.kind as string;
  if (!topLevel && kind !== 'var') return;
  // `const a = 1, {b} = o;` → `void (a = 1), ({b} = o);` — edits only at the edges of each
  // declarator, so edits inside initialisers (dynamic imports) still apply and no line moves.
  edits.push({ start: declaration.start, end: declaration.start + kind.length, text: 'void' });
  for (const declarator of declaration.declarations as AnyNode[]) {
    const id = declarator.id as AnyNode;
    collectNames(id, globals);
    edits.push({ start: id.start, end: id.start, text: '(' });
    const close = declarator.init ? ')' : kind === 'var' ? ')' : ' = undefined)';
    edits.push({ start: declarator.end, end: declarator.end, text: close });
  }
}

/** `var` declarations in nested blocks and loop heads (not inside functions). */
function visitNestedVars(node: AnyNode, edits: Edit[], globals: Set<string>): void {
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type) || child.type === 'ClassBody') continue;
    if (child.type === 'VariableDeclaration' && child.kind === 'var') {
      if (isLoopHead(node, child)) {
        // `for (var i = 0; ...)` → `for (i = 0; ...)`; `for (var k in o)` → `for (k in o)`
        for (const declarator of child.declarations as AnyNode[]) collectNames(declarator.id as AnyNode, globals);
        edits.push({ start: child.start, end: child.start + 3, text: '' });
        continue;
      }
      liftDeclaration(child, edits, globals, false);
      continue;
    }
    visitNestedVars(child, edits, globals);
  }
}

function isLoopHead(parent: AnyNode, child: AnyNode): boolean {
  if (parent.type === 'ForStatement') return parent.init === child;
  if (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') return parent.left === child;
  return false;
}

function collectNames(pattern: AnyNode, names: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier':
      names.add(pattern.name as string);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties as AnyNode[]) {
        collectNames((property.type === 'RestElement' ? property.argument : property.value) as AnyNode, names);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements as (AnyNode | null)[]) if (element) collectNames(element, names);
      break;
    case 'RestElement':
      collectNames(pattern.argument as AnyNode, names);
      break;
    case 'AssignmentPattern':
      collectNames(pattern.left as AnyNode, names);
      break;
    default:
      break;
  }
}

function children(node: AnyNode): AnyNode[] {
  const result: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) result.push(item);
    } else if (isNode(value)) {
      result.push(value);
    }
  }
  return result;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function walk(node: AnyNode, visit: (node: AnyNode) => void): void {
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    visit(current);
    stack.push(...children(current));
  }
}

function applyEdits(code: string, edits: Edit[]): string {
  // At one position, insertions come before a replacement; insertions keep the order they
  // were added in.
  const width = (edit: Edit) => (edit.end > edit.start ? 1 : 0);
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || width(a.edit) - width(b.edit) || a.index - b.index);
  let result = '';
  let cursor = 0;
  for (const { edit } of ordered) {
    if (edit.start < cursor) continue; // overlapping edits cannot happen with the rules above
    result += code.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return result + code.slice(cursor);
}
