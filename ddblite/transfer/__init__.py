"""Moving data in and out of a store: DynamoDB's export/import file formats, the
local stand-in for S3, `ddblite copy`."""
