import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReceiptStore, StoredReceipt } from '#ports/receipt-store';

/** Receipts in a private S3 bucket, at `receipts/<orderId>/receipt.html`: one PUT per order. */
export class S3ReceiptStore implements ReceiptStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async save(orderId: string, html: string): Promise<StoredReceipt> {
    const stored = { htmlKey: `receipts/${orderId}/receipt.html` };
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: stored.htmlKey, Body: html, ContentType: 'text/html; charset=utf-8' }));
    return stored;
  }
}
