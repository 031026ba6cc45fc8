"""Takes every message off one RabbitMQ queue, as a Ceilometer agent would consume them: each
oslo.messaging notification (its envelope's "oslo.message" read as JSON) as event type, publisher
and payload. Prints one JSON object: {"messages": [...]} ("missing": true when the queue does not
exist yet, which oslo.messaging declares with its first notification)."""
import json
import sys

import amqp.exceptions
import kombu

url, queue = sys.argv[1], sys.argv[2]
messages = []
missing = False
with kombu.Connection(url, connect_timeout=10) as connection:
    channel = connection.channel()
    try:
        while True:
            message = channel.basic_get(queue, no_ack=True)
            if message is None:
                break
            body = json.loads(message.body)
            inner = json.loads(body['oslo.message']) if 'oslo.message' in body else body
            messages.append({'event_type': inner.get('event_type'), 'publisher_id': inner.get('publisher_id'),
                             'priority': inner.get('priority'), 'payload': inner.get('payload')})
    except amqp.exceptions.NotFound:
        missing = True
print(json.dumps({'messages': messages, 'missing': missing}))
