// End-to-end tests: the real dynalocal binary driven by the AWS SDK for
// JavaScript v3 (@aws-sdk/client-dynamodb and the lib-dynamodb DocumentClient).
//
//   DYNALOCAL_BIN=build/dynalocal node --test tests/e2e/js/test_sdk.mjs
//
// Starts the binary on a free port with a temporary data directory and always
// kills it and removes the directory. DYNALOCAL_E2E_ENDPOINT=http://HOST:PORT
// runs against a server that is already running instead. The SDK does not
// check x-amz-crc32 itself, so a middleware here checks it on every response.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';

import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const START_TIMEOUT_MS = 15000;
process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost';

// ---- the server -------------------------------------------------------------

let server = null; // the child process, in its own process group
const workdir = mkdtempSync(join(tmpdir(), 'dynalocal-e2e-js-'));

function killServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function cleanup() {
  killServer();
  rmSync(workdir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

function startServer(binary) {
  return new Promise((resolve, reject) => {
    const args = ['--host', '127.0.0.1', '--port', '0', '--data-dir', join(workdir, 'data')];
    server = spawn(binary, args, { cwd: workdir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      killServer();
      reject(new Error(`dynalocal did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk;
      const match = /dynalocal listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout.setEncoding('utf8').on('data', onData);
    server.stderr.setEncoding('utf8').on('data', onData);
    server.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dynalocal exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

// ---- x-amz-crc32 -------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const crcStats = { checked: 0 };

// Sits just inside the deserializer: buffers the raw body, checks its CRC32
// against the header, and hands the same bytes on.
function addCrc32Check(client) {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response;
      const chunks = [];
      for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      const header = response.headers['x-amz-crc32'];
      assert.ok(header !== undefined, 'response has no x-amz-crc32 header');
      assert.equal(Number(header), crc32(body), `x-amz-crc32 mismatch for ${body}`);
      crcStats.checked++;
      response.body = Readable.from([body]);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'dynalocalCrc32Check' },
  );
  return client;
}

// ---- helpers -----------------------------------------------------------------

let endpoint;
let ddb;
let doc;
let exactClient;
let docExact; // numbers as NumberValue: exact strings, any size

function makeClient(region = REGION) {
  return addCrc32Check(
    new DynamoDBClient({
      endpoint,
      region,
      credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' },
      maxAttempts: 1,
    }),
  );
}

let counter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;

async function createTable(name, { sortKey, hashType = 'S' } = {}) {
  const AttributeDefinitions = [{ AttributeName: 'pk', AttributeType: hashType }];
  const KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }];
  if (sortKey) {
    AttributeDefinitions.push({ AttributeName: 'sk', AttributeType: sortKey });
    KeySchema.push({ AttributeName: 'sk', KeyType: 'RANGE' });
  }
  const out = await ddb.send(
    new CreateTableCommand({ TableName: name, AttributeDefinitions, KeySchema, BillingMode: 'PAY_PER_REQUEST' }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { TableName: name });
  return out.TableDescription;
}

async function expectError(promise, name, message, ErrorClass) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name);
    assert.equal(err.message, message);
    assert.equal(err.$metadata.httpStatusCode, 400);
    if (ErrorClass) assert.ok(err instanceof ErrorClass, `not an instance of ${ErrorClass.name}`);
    return true;
  });
}

// ---- the tests ---------------------------------------------------------------

describe('dynalocal with the AWS SDK for JavaScript v3', () => {
  before(async () => {
    endpoint = process.env.DYNALOCAL_E2E_ENDPOINT;
    if (!endpoint) {
      const binary = process.env.DYNALOCAL_BIN;
      assert.ok(binary, 'DYNALOCAL_BIN must name the dynalocal binary');
      endpoint = await startServer(resolve(binary)); // the server runs in its own cwd
    }
    ddb = makeClient();
    doc = DynamoDBDocumentClient.from(ddb);
    // A DocumentClient shares its client's config: the second needs its own client.
    exactClient = makeClient();
    docExact = DynamoDBDocumentClient.from(exactClient, { unmarshallOptions: { wrapNumbers: true } });
  });

  after(() => {
    ddb?.destroy();
    exactClient?.destroy();
    cleanup();
  });

  it('creates, describes and lists tables', async () => {
    const name = unique('js-create');
    const created = await createTable(name, { sortKey: 'N' });
    assert.equal(created.TableName, name);
    assert.deepEqual(created.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);

    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(Table.TableName, name);
    assert.equal(Table.TableStatus, 'ACTIVE');
    assert.equal(Table.TableArn, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`);
    assert.deepEqual(Table.AttributeDefinitions, [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ]);
    assert.equal(Table.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(Table.ItemCount, 0);
    assert.ok(Table.CreationDateTime instanceof Date);

    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    assert.ok(TableNames.includes(name));
    assert.deepEqual(TableNames, [...TableNames].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('lists tables in pages, per region', async () => {
    const west = makeClient('us-west-1');
    const names = ['js-list-c', 'js-list-a', 'js-list-B'];
    try {
      for (const TableName of names) {
        await west.send(
          new CreateTableCommand({
            TableName,
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      }
      let page = await west.send(new ListTablesCommand({ Limit: 2 }));
      assert.deepEqual(page.TableNames, ['js-list-B', 'js-list-a']);
      assert.equal(page.LastEvaluatedTableName, 'js-list-a');
      page = await west.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: 'js-list-a' }));
      assert.deepEqual(page.TableNames, ['js-list-c']);
      assert.equal(page.LastEvaluatedTableName, undefined);
      const east = await ddb.send(new ListTablesCommand({}));
      for (const name of names) assert.ok(!east.TableNames.includes(name), `${name} leaked to ${REGION}`);
    } finally {
      for (const TableName of names) await west.send(new DeleteTableCommand({ TableName })).catch(() => {});
      west.destroy();
    }
  });

  it('round-trips every type through the DocumentClient', async () => {
    const TableName = unique('js-types');
    await createTable(TableName);
    const item = {
      pk: 'every-type',
      s: 'héllo wörld ✓ 𝄞',
      n: 42,
      neg: -7.25,
      b: new Uint8Array([0, 1, 254, 255]),
      t: true,
      f: false,
      nul: null,
      m: { inner: { deep: 'x', n: 1 }, list: [1, 'two'], empty: {} },
      l: ['a', 1, [new Uint8Array([120]), null, false], { k: true }, []],
      ss: new Set(['a', 'b', 'c']),
      ns: new Set([1, 2.5, -3]),
      bs: new Set([new Uint8Array([97]), new Uint8Array([0])]),
      emptyS: '',
      emptyB: new Uint8Array(0),
    };
    const put = await doc.send(new PutCommand({ TableName, Item: item, ReturnValues: 'ALL_OLD' }));
    assert.equal(put.Attributes, undefined);
    const got = await doc.send(new GetCommand({ TableName, Key: { pk: 'every-type' }, ConsistentRead: true }));
    assert.deepEqual(got.Item, item);
    const deleted = await doc.send(new DeleteCommand({ TableName, Key: { pk: 'every-type' }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(deleted.Attributes, item);
    const gone = await doc.send(new GetCommand({ TableName, Key: { pk: 'every-type' }, ConsistentRead: true }));
    assert.equal(gone.Item, undefined);
  });

  it('keeps 38-digit numbers exact and normalises them', async () => {
    const TableName = unique('js-numbers');
    await createTable(TableName, { sortKey: 'N' });
    const big = '12345678901234567890123456789012345678';
    await docExact.send(
      new PutCommand({
        TableName,
        Item: { pk: 'n', sk: NumberValue.from('1.50'), big: NumberValue.from(big), z: NumberValue.from('-0') },
      }),
    );
    const got = await docExact.send(new GetCommand({ TableName, Key: { pk: 'n', sk: NumberValue.from('1.5') } }));
    assert.equal(got.Item.sk.toString(), '1.5');
    assert.equal(got.Item.big.toString(), big);
    assert.equal(got.Item.z.toString(), '0');
    const raw = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'n' }, sk: { N: '1.5' } } }));
    assert.deepEqual(raw.Item, { pk: { S: 'n' }, sk: { N: '1.5' }, big: { N: big }, z: { N: '0' } });
  });

  it('round-trips every type through the low-level client', async () => {
    const TableName = unique('js-raw');
    await createTable(TableName, { hashType: 'B' });
    const Item = {
      pk: { B: new Uint8Array([0, 0, 255]) },
      s: { S: 'x' },
      n: { N: '00042' },
      t: { BOOL: true },
      z: { NULL: true },
      m: { M: { a: { L: [{ N: '1' }, { SS: ['q'] }] }, e: { S: '' } } },
      l: { L: [{ M: {} }, { L: [] }, { B: new Uint8Array(0) }] },
    };
    await ddb.send(new PutItemCommand({ TableName, Item }));
    const got = await ddb.send(
      new GetItemCommand({ TableName, Key: { pk: Item.pk }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    assert.deepEqual(got.Item, { ...Item, n: { N: '42' } });
    assert.equal(got.ConsumedCapacity.TableName, TableName);
    assert.equal(got.ConsumedCapacity.CapacityUnits, 1);
    const projected = await ddb.send(
      new GetItemCommand({
        TableName,
        Key: { pk: Item.pk },
        ProjectionExpression: '#m.a[1], s',
        ExpressionAttributeNames: { '#m': 'm' },
      }),
    );
    assert.deepEqual(projected.Item, { m: { M: { a: { L: [{ SS: ['q'] }] } } }, s: { S: 'x' } });
    const del = await ddb.send(new DeleteItemCommand({ TableName, Key: { pk: Item.pk }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(del.Attributes, { ...Item, n: { N: '42' } });
  });

  it('reports errors with DynamoDB names and messages', async () => {
    const missing = unique('js-missing');
    await expectError(
      ddb.send(new GetItemCommand({ TableName: missing, Key: { pk: { S: 'x' } } })),
      'ResourceNotFoundException',
      'Requested resource not found',
      ResourceNotFoundException,
    );
    await expectError(
      ddb.send(new DescribeTableCommand({ TableName: missing })),
      'ResourceNotFoundException',
      `Requested resource not found: Table: ${missing} not found`,
      ResourceNotFoundException,
    );

    const TableName = unique('js-errors');
    await createTable(TableName);
    await expectError(
      ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      ),
      'ResourceInUseException',
      `Table already exists: ${TableName}`,
      ResourceInUseException,
    );
    await expectError(
      doc.send(new PutCommand({ TableName, Item: { other: 'x' } })),
      'ValidationException',
      'One or more parameter values were invalid: Missing the key pk in the item',
    );
    await expectError(
      doc.send(new PutCommand({ TableName, Item: { pk: 1 } })),
      'ValidationException',
      'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N',
    );
  });

  it('deletes tables', async () => {
    const TableName = unique('js-delete');
    await createTable(TableName);
    const { TableDescription } = await ddb.send(new DeleteTableCommand({ TableName }));
    assert.equal(TableDescription.TableName, TableName);
    assert.equal(TableDescription.TableStatus, 'DELETING');
    await waitUntilTableNotExists({ client: ddb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { TableName });
    await expectError(
      ddb.send(new DescribeTableCommand({ TableName })),
      'ResourceNotFoundException',
      `Requested resource not found: Table: ${TableName} not found`,
    );
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    assert.ok(!TableNames.includes(TableName));
  });

  it('sent a correct x-amz-crc32 with every response', () => {
    // Each call above went through the check; this makes sure it ran at all.
    assert.ok(crcStats.checked >= 30, `only ${crcStats.checked} responses were checked`);
  });
});
