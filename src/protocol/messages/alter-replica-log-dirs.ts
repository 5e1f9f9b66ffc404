// AlterReplicaLogDirs (key 34). Kafka: versions 0-2 (4.x: 1-2), flexible 2+; raftka serves 0-2 (v1
// and v2 change nothing but, in v2, the encoding). Asks one broker to keep the given partitions'
// replicas in the given log dir (an absolute path). Answered by src/broker/alter-log-dirs-api.ts.
//
// Request:  Dirs [Path string, Topics [Name string, Partitions [int32]]]
// Response: ThrottleTimeMs, Results [TopicName string, Partitions [PartitionIndex int32, ErrorCode int16]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const alterReplicaLogDirsRequestSchema = message('AlterReplicaLogDirsRequest', '2+', [
  field(
    'dirs',
    array(
      struct([
        field('path', 'string', '0+'),
        field(
          'topics',
          array(struct([field('name', 'string', '0+'), field('partitions', array('int32'), '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const alterReplicaLogDirsResponseSchema = message('AlterReplicaLogDirsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'results',
    array(
      struct([
        field('topicName', 'string', '0+'),
        field(
          'partitions',
          array(struct([field('partitionIndex', 'int32', '0+'), field('errorCode', 'int16', '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface AlterReplicaLogDirsRequest extends MessageValue<typeof alterReplicaLogDirsRequestSchema> {}
export interface AlterReplicaLogDirsResponse extends MessageValue<typeof alterReplicaLogDirsResponseSchema> {}
export type AlterReplicaLogDirsResponseInput = MessageInput<typeof alterReplicaLogDirsResponseSchema>;

export const alterReplicaLogDirsApi = defineApi({
  key: 34,
  name: 'AlterReplicaLogDirs',
  minVersion: 0,
  maxVersion: 2,
  request: alterReplicaLogDirsRequestSchema,
  response: alterReplicaLogDirsResponseSchema,
});
