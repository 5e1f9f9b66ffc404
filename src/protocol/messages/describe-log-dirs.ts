// DescribeLogDirs (key 35). Kafka: versions 0-5 (4.x: 1-5), flexible 2+; raftka serves 0-5. The broker
// answers for its own log.dirs: each partition's size on disk and, from v4, the volume's total and
// usable bytes, from v5 whether the log dir is cordoned (KIP-1066; raftka never cordons one: false). Callers: the broker handler (src/broker/log-dirs-api.ts), raftka's client
// (src/client/log-dirs.ts) and the web console's sizes and disk use.
//
// Request:  Topics nullable [Topic string, Partitions [int32]]   (null: every hosted partition)
// Response: ThrottleTimeMs, v3+ ErrorCode, Results [ErrorCode, LogDir string,
//             Topics [Name, Partitions [PartitionIndex int32, PartitionSize int64, OffsetLag int64,
//               IsFutureKey bool]], v4+ TotalBytes int64 (-1), v4+ UsableBytes int64 (-1),
//               v5+ IsCordoned bool (false)]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeLogDirsRequestSchema = message('DescribeLogDirsRequest', '2+', [
  field('topics', array(struct([field('topic', 'string', '0+'), field('partitions', array('int32'), '0+')])), '0+', {
    nullable: '0+',
  }),
]);

const describeLogDirsResponseSchema = message('DescribeLogDirsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '3+', { default: 0 }),
  field(
    'results',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('logDir', 'string', '0+'),
        field(
          'topics',
          array(
            struct([
              field('name', 'string', '0+'),
              field(
                'partitions',
                array(
                  struct([
                    field('partitionIndex', 'int32', '0+'),
                    field('partitionSize', 'int64', '0+'),
                    field('offsetLag', 'int64', '0+'),
                    field('isFutureKey', 'bool', '0+'),
                  ]),
                ),
                '0+',
              ),
            ]),
          ),
          '0+',
        ),
        field('totalBytes', 'int64', '4+', { default: -1 }),
        field('usableBytes', 'int64', '4+', { default: -1 }),
        field('isCordoned', 'bool', '5+', { default: false }),
      ]),
    ),
    '0+',
  ),
]);

export interface DescribeLogDirsRequest extends MessageValue<typeof describeLogDirsRequestSchema> {}
export interface DescribeLogDirsResponse extends MessageValue<typeof describeLogDirsResponseSchema> {}
export type DescribeLogDirsResponseInput = MessageInput<typeof describeLogDirsResponseSchema>;

export const describeLogDirsApi = defineApi({
  key: 35,
  name: 'DescribeLogDirs',
  minVersion: 0,
  maxVersion: 5,
  request: describeLogDirsRequestSchema,
  response: describeLogDirsResponseSchema,
});
