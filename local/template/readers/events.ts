import { text } from '../../text';
import { TemplateError, resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

export interface LocalEventBus {
  logicalId: string;
  name: string;
  arn: string;
}

export interface LocalRuleTarget {
  id: string;
  arn: string;
  /** Input (a JSON text that replaces the event) or InputPath (a JSONPath into it). */
  input?: string;
  inputPath?: string;
}

export interface LocalRule {
  /** The rule's logical id, or `<Function>.<Event>` for a SAM EventBridgeRule event. */
  name: string;
  busName: string;
  pattern: unknown;
  enabled: boolean;
  targets: LocalRuleTarget[];
}

export interface LocalArchive {
  logicalId: string;
  busName: string;
  pattern?: unknown;
  retentionDays: number;
}

/** A bus named by name or by ARN, as Rule.EventBusName and Archive.SourceArn take it; `default` when absent. */
function busNameOf(value: unknown): string {
  const name = text(value, 'default');
  return name.startsWith('arn:') ? (name.split(':event-bus/')[1] ?? name) : name;
}

/** Each AWS::Events::EventBus (the `default` bus always exists). */
export function readEventBuses(source: TemplateSource): LocalEventBus[] {
  const custom = source.ofType('AWS::Events::EventBus').map(([logicalId]) => ({ logicalId, name: source.physical.eventBus(logicalId), arn: source.physical.eventBusArn(logicalId) }));
  return [{ logicalId: 'default', name: 'default', arn: `arn:aws:events:${source.region}:${source.accountId}:event-bus/default` }, ...custom];
}

/** Each AWS::Events::Rule with an EventPattern, and each function's `Type: EventBridgeRule` event (a rule targeting it). */
export function readRules(source: TemplateSource): LocalRule[] {
  const rules = source.ofType('AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const properties = resolve(resource.Properties ?? {}, source.context) as Record<string, unknown>;
    // A ScheduleExpression rule has no pattern: it is reported as not emulated elsewhere.
    if (properties.EventPattern === undefined) return [];
    const pattern = typeof properties.EventPattern === 'string' ? (JSON.parse(properties.EventPattern) as unknown) : properties.EventPattern;
    const targets = (Array.isArray(properties.Targets) ? properties.Targets : []).filter(isObject).map((target) => ({
      id: text(target.Id),
      arn: text(target.Arn),
      ...(target.Input === undefined ? {} : { input: text(target.Input) }),
      ...(target.InputPath === undefined ? {} : { inputPath: text(target.InputPath) }),
    }));
    return [{ name: logicalId, busName: busNameOf(properties.EventBusName), pattern, enabled: text(properties.State, 'ENABLED') === 'ENABLED', targets }];
  });
  const functionRules = source.ofType('AWS::Serverless::Function').flatMap(([functionLogicalId, resource]) => {
    const events = resource.Properties?.Events;
    return Object.entries(isObject(events) ? events : {}).flatMap(([eventName, event]) => {
      if (!isObject(event) || (event.Type !== 'EventBridgeRule' && event.Type !== 'CloudWatchEvent')) return [];
      const properties = resolve(event.Properties ?? {}, source.context) as Record<string, unknown>;
      if (properties.Pattern === undefined) throw new TemplateError(`${functionLogicalId}.Events.${eventName}: only Pattern rules are emulated`);
      return [{
        name: `${functionLogicalId}.${eventName}`,
        busName: busNameOf(properties.EventBusName),
        pattern: properties.Pattern,
        enabled: properties.State === undefined || properties.State === 'ENABLED',
        targets: [{ id: eventName, arn: source.physical.functionArn(functionLogicalId) }],
      }];
    });
  });
  return [...rules, ...functionRules];
}

/** Each AWS::Events::Archive on a bus. */
export function readArchives(source: TemplateSource): LocalArchive[] {
  return source.ofType('AWS::Events::Archive').map(([logicalId, resource]) => {
    const properties = resolve(resource.Properties ?? {}, source.context) as Record<string, unknown>;
    const pattern = typeof properties.EventPattern === 'string' ? (JSON.parse(properties.EventPattern) as unknown) : properties.EventPattern;
    return {
      logicalId,
      busName: busNameOf(properties.SourceArn),
      ...(pattern === undefined ? {} : { pattern }),
      retentionDays: Number(properties.RetentionDays ?? 0),
    };
  });
}
