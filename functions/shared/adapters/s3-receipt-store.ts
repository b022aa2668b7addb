import type { ReceiptStore, StoredReceipt } from '#ports/receipt-store';
import type { ObjectPut } from './s3-signed-put';

/** Receipts in a private S3 bucket, at `receipts/<orderId>/receipt.html`: one PUT per order. */
export class S3ReceiptStore implements ReceiptStore {
  constructor(
    /** A signed PutObject (s3-signed-put.ts): the S3 client stays out of the bundle. */
    private readonly objects: ObjectPut,
    private readonly bucket: string,
  ) {}

  async save(orderId: string, html: string): Promise<StoredReceipt> {
    const stored = { htmlKey: `receipts/${orderId}/receipt.html` };
    await this.objects.putObject({ Bucket: this.bucket, Key: stored.htmlKey, Body: html, ContentType: 'text/html; charset=utf-8' });
    return stored;
  }
}
