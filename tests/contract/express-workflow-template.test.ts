import { join } from 'node:path';
import { loadLocalTemplate } from '../../local/template/local-template';
import { ROOT, loadTemplate } from '../support/template';

/*
 * The WorkflowType parameter: one ASL, Standard or Express. What changes with it is what Express
 * lacks on AWS (execution history, EventBridge status events) and what replaces it (a log at level ALL).
 */
const template = loadTemplate() as ReturnType<typeof loadTemplate> & { Parameters: Record<string, { Default?: unknown; AllowedValues?: unknown[] }>; Conditions: Record<string, unknown> };
const resources = template.Resources as Record<string, { Condition?: string; Properties?: Record<string, unknown> }>;
const machine = resources.OrderProcessingStateMachine?.Properties as Record<string, unknown>;
const logging = machine.Logging as { Level: unknown; IncludeExecutionData: unknown };

describe('template.yaml: WorkflowType', () => {
  it('defaults to STANDARD, allows EXPRESS, and sets the state machine Type from it', () => {
    expect(template.Parameters.WorkflowType).toMatchObject({ Default: 'STANDARD', AllowedValues: ['STANDARD', 'EXPRESS'] });
    expect(machine.Type).toEqual({ Ref: 'WorkflowType' });
    expect(machine.DefinitionUri).toBe('statemachine/order-processing.asl.json');
  });

  it('logs every event (level ALL) for Express, never with execution data', () => {
    expect(logging.Level).toEqual({ 'Fn::If': ['IsExpress', 'ALL', 'ERROR'] });
    expect(logging.IncludeExecutionData).toBe(false);
  });

  it('keeps the EventBridge operator rule for Standard only, and alarms on the log for Express', () => {
    expect(resources.WorkflowAttentionRule?.Condition).toBe('IsStandard');
    const filter = resources.WorkflowAttentionMetricFilter as unknown as { Condition?: string; Properties: { FilterPattern: string; LogGroupName: unknown } };
    expect(filter.Condition).toBe('IsExpress');
    expect(filter.Properties.LogGroupName).toEqual({ Ref: 'StateMachineLogGroup' });
    // The same two errors the Standard rule matches.
    const rule = resources.WorkflowAttentionRule?.Properties as unknown as { EventPattern: { detail: { error: string[] } } };
    for (const error of rule.EventPattern.detail.error) expect(filter.Properties.FilterPattern).toContain(`$.details.error = "${error}"`);
    expect(resources.WorkflowAttentionAlarm?.Condition).toBe('IsExpress');
  });

  it('gives the local runtime an EXPRESS machine with the same definition when the parameter says so', () => {
    const standard = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') }).stateMachines[0];
    const express = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml'), parameterOverrides: { WorkflowType: 'EXPRESS' } }).stateMachines[0];
    expect(standard?.type).toBe('STANDARD');
    expect(express?.type).toBe('EXPRESS');
    expect(express?.definition).toEqual(standard?.definition);
  });
});
