// The AWS SDK for JavaScript v3 against a ddblite endpoint, as a Node.js user would use it.
// Usage: DYNAMODB_ENDPOINT=http://127.0.0.1:PORT node script.mjs
// Prints one line per check and "ok" at the end; exits non-zero on the first failed check.
import assert from "node:assert/strict";
import {
  BatchExecuteStatementCommand,
  CreateTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";

const endpoint = process.env.DYNAMODB_ENDPOINT;
assert.ok(endpoint, "DYNAMODB_ENDPOINT is not set");

const client = new DynamoDBClient({
  endpoint,
  region: "us-west-2",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" },
  maxAttempts: 1, // a failure must surface at once, not after retries
});
const TableName = "Orders";

function check(name) {
  console.log(`passed: ${name}`);
}

async function createTable() {
  const created = await client.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [
        { AttributeName: "customer", KeyType: "HASH" },
        { AttributeName: "order", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "customer", AttributeType: "S" },
        { AttributeName: "order", AttributeType: "N" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  assert.equal(created.TableDescription.TableName, TableName);
  assert.match(created.TableDescription.TableArn, /^arn:aws:dynamodb:us-west-2:\d{12}:table\/Orders$/);
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName });
  check("CreateTable + waitUntilTableExists");
}

async function writeOrders() {
  const orders = [
    { order: 1, total: 15, note: "first" },
    { order: 2, total: 250, note: "big" },
    { order: 3, total: 40, note: "third" },
    { order: 4, total: 999, note: "huge" },
  ];
  for (const { order, total, note } of orders) {
    await client.send(
      new PutItemCommand({
        TableName,
        Item: {
          customer: { S: "alice" },
          order: { N: String(order) },
          total: { N: String(total) },
          note: { S: note },
          receipt: { B: Uint8Array.from([0, 1, 2, 255]) },
        },
      }),
    );
  }
  await client.send(
    new PutItemCommand({
      TableName,
      Item: { customer: { S: "bob" }, order: { N: "1" }, total: { N: "500" } },
    }),
  );
  const { Item } = await client.send(
    new GetItemCommand({ TableName, Key: { customer: { S: "alice" }, order: { N: "2" } } }),
  );
  assert.deepEqual(Item.note, { S: "big" });
  assert.deepEqual(Item.total, { N: "250" });
  assert.deepEqual(Item.receipt, { B: Uint8Array.from([0, 1, 2, 255]) });
  check("PutItem + GetItem (binary round trip)");
}

async function queryWithExpressions() {
  const answer = await client.send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: "customer = :c AND #o BETWEEN :low AND :high",
      FilterExpression: "#t > :min",
      ExpressionAttributeNames: { "#o": "order", "#t": "total" },
      ExpressionAttributeValues: {
        ":c": { S: "alice" },
        ":low": { N: "2" },
        ":high": { N: "4" },
        ":min": { N: "100" },
      },
      ScanIndexForward: false,
    }),
  );
  // Orders 2..4 match the key condition (ScannedCount), the filter keeps 4 and 2 (Count).
  assert.equal(answer.ScannedCount, 3);
  assert.equal(answer.Count, 2);
  assert.deepEqual(
    answer.Items.map((item) => item.order.N),
    ["4", "2"],
  );
  check("Query with KeyConditionExpression + FilterExpression");
}

async function conditionalFailure() {
  let failure;
  try {
    await client.send(
      new PutItemCommand({
        TableName,
        Item: { customer: { S: "alice" }, order: { N: "1" }, total: { N: "0" } },
        ConditionExpression: "attribute_not_exists(customer)",
      }),
    );
  } catch (error) {
    failure = error;
  }
  assert.ok(failure, "the conditional PutItem succeeded");
  assert.equal(failure.name, "ConditionalCheckFailedException");
  assert.equal(failure.message, "The conditional request failed");
  assert.equal(failure.$metadata.httpStatusCode, 400);
  assert.equal(failure.$fault, "client");
  const { Item } = await client.send(
    new GetItemCommand({ TableName, Key: { customer: { S: "alice" }, order: { N: "1" } } }),
  );
  assert.deepEqual(Item.total, { N: "15" }, "the failed write changed the item");
  check("ConditionalCheckFailedException");
}

async function missingTable() {
  let failure;
  try {
    await client.send(new GetItemCommand({ TableName: "Nope", Key: { id: { S: "x" } } }));
  } catch (error) {
    failure = error;
  }
  assert.ok(failure, "GetItem on a missing table succeeded");
  assert.equal(failure.name, "ResourceNotFoundException");
  assert.equal(failure.message, "Requested resource not found");
  check("ResourceNotFoundException");
}

async function partiql() {
  const selected = await client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT "order", receipt FROM "Orders" WHERE customer = ? AND "order" >= ?`,
      Parameters: [{ S: "alice" }, { N: "3" }],
      Limit: 1,
    }),
  );
  const receipt = { B: Uint8Array.from([0, 1, 2, 255]) };
  assert.deepEqual(selected.Items, [{ order: { N: "3" }, receipt }]);
  const rest = await client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT "order", receipt FROM "Orders" WHERE customer = ? AND "order" >= ?`,
      Parameters: [{ S: "alice" }, { N: "3" }],
      NextToken: selected.NextToken,
    }),
  );
  assert.deepEqual(rest.Items.map((item) => item.order.N), ["4"]);
  let failure;
  try {
    await client.send(
      new ExecuteStatementCommand({
        Statement: `INSERT INTO "Orders" VALUE {'customer': 'bob', 'order': 1}`,
      }),
    );
  } catch (error) {
    failure = error;
  }
  assert.equal(failure?.name, "DuplicateItemException");
  const batch = await client.send(
    new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `SELECT total FROM "Orders" WHERE customer = 'bob' AND "order" = 1` },
        { Statement: `SELECT total FROM "Nope" WHERE customer = 'bob' AND "order" = 1` },
      ],
    }),
  );
  assert.deepEqual(batch.Responses[0].Item, { total: { N: "500" } });
  assert.equal(batch.Responses[1].Error.Code, "ResourceNotFound");
  await client.send(
    new ExecuteTransactionCommand({
      TransactStatements: [
        {
          Statement: `UPDATE "Orders" SET total = total + ? WHERE customer = 'bob' AND "order" = 1`,
          Parameters: [{ N: "1" }],
        },
        { Statement: `INSERT INTO "Orders" VALUE {'customer': 'carol', 'order': 1}` },
      ],
    }),
  );
  const { Item } = await client.send(
    new GetItemCommand({ TableName, Key: { customer: { S: "bob" }, order: { N: "1" } } }),
  );
  assert.deepEqual(Item.total, { N: "501" });
  check("PartiQL: ExecuteStatement pages, DuplicateItemException, batch, transaction");
}

await createTable();
await writeOrders();
await queryWithExpressions();
await conditionalFailure();
await missingTable();
await partiql();
console.log("ok");
