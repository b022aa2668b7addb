import type { Context } from 'aws-lambda';

/*
 * Prod logs WARN and above plus a sample of invocations in full (template Globals:
 * POWERTOOLS_LOG_LEVEL WARN, POWERTOOLS_LOGGER_SAMPLE_RATE). The sample must be drawn per
 * invocation: Powertools draws once per environment unless told to draw again, so a warm
 * environment would log every invocation or none.
 */
describe('log sampling in withPowertools', () => {
  it('draws the sample for each invocation of one warm environment', async () => {
    const saved = { level: process.env.POWERTOOLS_LOG_LEVEL, rate: process.env.POWERTOOLS_LOGGER_SAMPLE_RATE };
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    process.env.POWERTOOLS_LOGGER_SAMPLE_RATE = '0.5';
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      let powertools: typeof import('#platform/powertools') | undefined;
      jest.isolateModules(() => {
        powertools = jest.requireActual<typeof import('#platform/powertools')>('#platform/powertools');
      });
      if (!powertools) throw new Error('powertools did not load');
      const { logger, withPowertools } = powertools;
      const handler = withPowertools(() => ({ orderId: 'ord_0123456789abcdef0123456789abcdef' }), () => {
        logger.info('Step started');
        return Promise.resolve('done');
      });
      const context = { functionName: 'fn', awsRequestId: 'req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn', memoryLimitInMB: '256' } as Context;
      const invocations = 200;
      for (let index = 0; index < invocations; index++) await handler({}, context);
      const logged = lines.filter((line) => line.includes('"message":"Step started"')).length;
      // Binomial(200, 0.5): 100 ± 7; one draw per environment would give 0 or 200.
      expect(logged).toBeGreaterThan(60);
      expect(logged).toBeLessThan(140);
    } finally {
      write.mockRestore();
      process.env.POWERTOOLS_LOG_LEVEL = saved.level;
      process.env.POWERTOOLS_LOGGER_SAMPLE_RATE = saved.rate;
      if (saved.rate === undefined) delete process.env.POWERTOOLS_LOGGER_SAMPLE_RATE;
    }
  });
});
