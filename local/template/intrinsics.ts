/**
 * Resolves CloudFormation intrinsic functions (as parsed by yaml-cfn: `{Ref}`, `{'Fn::Sub'}`, …)
 * against values the local runtime assigns to parameters, pseudo parameters and resources.
 */
export interface ResolutionContext {
  /** Value of `!Ref X` for parameters, pseudo parameters and resources (incl. `Fn.Alias`). */
  ref(name: string): string;
  /** Value of `!GetAtt X.Attr`. */
  getAtt(resource: string, attribute: string): string;
  /** Value of a named condition. */
  condition(name: string): boolean;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${where} must resolve to a string, got ${JSON.stringify(value)}`);
}

/** `${Name}`, `${Res.Attr}` and `${!Literal}` substitution of Fn::Sub. */
function substitute(text: string, variables: Record<string, unknown>, context: ResolutionContext): string {
  return text.replace(/\$\{([^}]*)\}/g, (_whole, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    if (expression in variables) return asString(variables[expression], `Fn::Sub variable ${expression}`);
    const dot = expression.indexOf('.');
    if (dot > 0 && !expression.startsWith('AWS::')) return context.getAtt(expression.slice(0, dot), expression.slice(dot + 1));
    return context.ref(expression);
  });
}

/** Resolves every intrinsic in a template fragment. */
export function resolve(value: unknown, context: ResolutionContext): Json {
  if (Array.isArray(value)) return value.map((item) => resolve(item, context));
  if (!isObject(value)) return value as Json;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = value[key];
    switch (key) {
      case 'Ref':
        return context.ref(asString(argument, 'Ref'));
      case 'Fn::GetAtt': {
        const [resource, ...attribute] = Array.isArray(argument) ? argument.map((part) => asString(resolve(part, context), 'Fn::GetAtt')) : asString(argument, 'Fn::GetAtt').split('.');
        if (!resource || attribute.length === 0) throw new TemplateError(`Bad Fn::GetAtt ${JSON.stringify(argument)}`);
        return context.getAtt(resource, attribute.join('.'));
      }
      case 'Fn::Sub': {
        if (typeof argument === 'string') return substitute(argument, {}, context);
        if (Array.isArray(argument) && typeof argument[0] === 'string' && isObject(argument[1])) {
          const variables = Object.fromEntries(Object.entries(argument[1]).map(([name, fragment]) => [name, resolve(fragment, context)]));
          return substitute(argument[0], variables, context);
        }
        throw new TemplateError(`Bad Fn::Sub ${JSON.stringify(argument)}`);
      }
      case 'Fn::If': {
        if (!Array.isArray(argument) || argument.length !== 3) throw new TemplateError('Fn::If takes [condition, then, else]');
        return resolve(context.condition(asString(argument[0], 'Fn::If condition')) ? argument[1] : argument[2], context);
      }
      case 'Fn::Equals': {
        if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateError('Fn::Equals takes two values');
        return JSON.stringify(resolve(argument[0], context)) === JSON.stringify(resolve(argument[1], context));
      }
      case 'Fn::Not':
        if (!Array.isArray(argument) || argument.length !== 1) throw new TemplateError('Fn::Not takes one condition');
        return !resolve(argument[0], context);
      case 'Fn::And':
        if (!Array.isArray(argument)) throw new TemplateError('Fn::And takes a list');
        return argument.every((item) => resolve(item, context) === true);
      case 'Fn::Or':
        if (!Array.isArray(argument)) throw new TemplateError('Fn::Or takes a list');
        return argument.some((item) => resolve(item, context) === true);
      case 'Condition':
        return context.condition(asString(argument, 'Condition'));
      case 'Fn::Join': {
        if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateError('Fn::Join takes [delimiter, list]');
        const list = resolve(argument[1], context);
        if (!Array.isArray(list)) throw new TemplateError('Fn::Join list must be a list');
        return list.map((item) => asString(item, 'Fn::Join item')).join(asString(argument[0], 'Fn::Join delimiter'));
      }
      case 'Fn::Select': {
        if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateError('Fn::Select takes [index, list]');
        const list = resolve(argument[1], context);
        const index = Number(resolve(argument[0], context));
        if (!Array.isArray(list) || !(index in list)) throw new TemplateError('Fn::Select index out of range');
        return list[index] ?? null;
      }
      case 'Fn::Split': {
        if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateError('Fn::Split takes [delimiter, string]');
        return asString(resolve(argument[1], context), 'Fn::Split').split(asString(argument[0], 'Fn::Split delimiter'));
      }
      default:
        if (key.startsWith('Fn::')) throw new TemplateError(`Unsupported intrinsic ${key}`);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([key, fragment]) => [key, resolve(fragment, context)]));
}
